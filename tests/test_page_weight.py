"""No main page weighs more than 200 KB of HTML, CSS and JavaScript (issue #10, speed).

Images are left out (page previews are lazy and the budget is about what blocks the
first paint). Each page's HTML plus every stylesheet and script it references is counted
uncompressed, as served. The figures are printed (``pytest -s``) and recorded in
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import pytest

from kb.services import events, jobs
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.items import ItemMeta, UploadFile, upload_files

#: The budget per page, in bytes (200 KB, counted as 200,000 to be strict).
BUDGET = 200_000
#: Slides in the big deck: a long talk (every slide's text is on the item page).
SLIDES = 80


class AssetLinks(HTMLParser):
    """Collects the stylesheets and scripts a page references."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and (values.get("rel") or "") == "stylesheet" and values.get("href"):
            self.urls.append(str(values["href"]))
        elif tag == "script" and values.get("src"):
            self.urls.append(str(values["src"]))


def weigh(client, path: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Bytes of the page's HTML and of the CSS/JS it references (each once)."""
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data()
    parser = AssetLinks()
    parser.feed(html.decode("utf-8"))
    assets = 0
    for url in dict.fromkeys(parser.urls):
        asset = client.get(url)
        assert asset.status_code == 200, url
        assets += len(asset.get_data())
        asset.close()
    return len(html), assets


def deck_slides() -> list[str]:
    """Slides as a talk has them: a title and five bullet points each."""
    bullets = [
        "Arbeitsmarktintegration mit kommunalen Arbeitgebern gemeinsam planen",
        "Verwendungsnachweis fristgerecht bei der Investitionsbank einreichen",
        "Ehrenamtliche Patenschaften für neu zugewanderte Familien begleiten",
        "Sprachkurse und Kinderbetreuung im Landkreis abstimmen",
        "Ergebnisse der Ideenwerkstatt in die Verwaltung tragen",
    ]
    return [f"Folie {n}: Netzwerk und Praxis\n" + "\n".join(bullets) for n in range(1, SLIDES + 1)]


@pytest.fixture
def pages(client, kb, make_item, make_pptx) -> list[str]:  # type: ignore[no-untyped-def]
    slug = events.create_event(
        kb,
        events.EventData("13. IKOE-Ideenwerkstatt", dt.date(2026, 11, 25), city="Halle"),
        SYSTEM,
    )
    meta = ItemMeta(
        title="Arbeitsmarktintegration in der Praxis", kind="praesentation", event_slug=slug
    )
    deck = UploadFile("praxis.pptx", io.BytesIO(make_pptx(deck_slides())))
    deck_id = upload_files(kb, [deck], meta, ANONYMOUS)[0].item_id
    for n in range(25):
        make_item(f"Arbeitsmarktintegration Beispiel {n} " * 40, title=f"Beispiel {n}", wait=False)
    make_item("Merkblatt Verwendungsnachweis", title="Merkblatt", kind="leitfaden", wait=False)
    jobs.run_until_idle(kb)
    assert client.post("/mappe/items", data={"item_id": deck_id}).status_code == 302
    return [
        "/",
        "/search?q=Arbeitsmarktintegration",
        f"/items/{deck_id}",
        "/upload",
        "/events",
        f"/events/{slug}",
        "/guidance",
        "/districts",
        "/mappe",
    ]


def test_every_main_page_stays_under_200_kb_of_html_css_and_js(client, pages):
    figures = {path: weigh(client, path) for path in pages}
    print(f"\nPage weight (bytes, uncompressed; budget {BUDGET:,}):")
    print(f"  {'HTML':>8} {'CSS+JS':>8} {'total':>8}  page")
    for path, (html, assets) in figures.items():
        print(f"  {html:8,} {assets:8,} {html + assets:8,}  {path}")
    deck_html = figures[pages[2]][0]
    assert deck_html > 30_000, "the deck page should show the text of all its slides"
    heavy = {path: sum(sizes) for path, sizes in figures.items() if sum(sizes) > BUDGET}
    assert not heavy, heavy


def test_the_weight_counts_referenced_css_and_js(client):
    html, assets = weigh(client, "/search?q=x")
    assert assets > 10_000  # kb.css alone is ~10 KB; the search page adds two scripts
    assert html > 1_000
