"""The path a new user takes, in a real browser against the real server.

``kb init`` and ``kb serve`` run as a separate process with their data under a
temporary folder; Debian's Chromium is driven through Playwright's sync API.
Each step saves a screenshot under ``test-artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, KbServer, browser, playwright  # noqa: F401 (shared fixtures)
from databases import TemplateDatabase
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

#: Generous bound for upload-to-searchable on a slow CI machine (the benchmarks measure it).
SEARCHABLE_TIMEOUT_MS = 30_000

CORPUS_DIR = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "real"
    )
).resolve()

DECK_SLIDES = [
    "Kooperation mit Arbeitgebern\nWarum Verwaltungen Partner suchen",
    "Ausgangslage\nFachkräftebedarf in den Landkreisen",
    "Gute Beispiele\nDie Streuobstwiese als Lernort für neue Beschäftigte",
    "Ausblick\nNächste Schritte im Netzwerk",
]
DECK_WORD = "Streuobstwiese"  # only on slide 3
DECK_NAME = "Übersicht_Impuls.pptx"
DECK_TITLE = "Impuls Kooperation mit Arbeitgebern"

REAL_DECK = "Präsentation_Scheinecker_Coaching.pptx"
# "Dilemma" stands only on slide 3 ("Dilemma wachsender Unternehmen"). Chosen by reading the
# deck with kb.extract.pptx.extract_pptx and keeping the words of slide 3 whose German-analyzer
# tokens (kb.search.analysis.german_analyzer) and lower-cased spelling occur on no other of the
# 23 slides.
REAL_DECK_WORD = "Dilemma"
REAL_DECK_TITLE = "Ideen erfolgreich umsetzen (Coaching)"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, template_db: TemplateDatabase
) -> Iterator[KbServer]:
    """``kb init`` + ``kb serve`` on a free port, data in a fresh temporary folder (and a
    fresh database on the PostgreSQL test server when the suite runs against one)."""
    data_dir = tmp_path_factory.mktemp("kb-browser")
    url = template_db.new(data_dir) if template_db.is_postgres else None
    with KbServer(data_dir, database_url=url) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: KbServer) -> Iterator[Page]:  # noqa: F811 (fixture)
    context = browser.new_context(
        base_url=server.base_url,
        accept_downloads=True,
        locale="de-DE",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Save a full-page screenshot named after the test and a step counter."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS_DIR.glob(f"{request.node.name}-*.png"):
        stale.unlink()
    counter = iter(range(1, 100))

    def _shot(step: str) -> None:
        name = f"{request.node.name}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(ARTIFACTS_DIR / name), full_page=True)

    return _shot


# --- steps shared by the tests --------------------------------------------------------------


# The search field offers completions through a <datalist>, which makes it a combobox.


def open_home(page: Page, shot: Callable[[str], None]) -> None:
    response = page.goto("/")
    assert response is not None and response.ok, f"GET / answered {response and response.status}"
    expect(page.get_by_role("heading", level=1), "home page shows its German heading").to_have_text(
        "Materialien finden, hochladen, weitergeben"
    )
    expect(page.locator("html"), "page language is German").to_have_attribute("lang", "de")
    expect(
        page.get_by_role("combobox", name="Suchbegriff"), "home page has the search box"
    ).to_be_visible()
    shot("home")


def upload_file(
    page: Page,
    shot: Callable[[str], None],
    name: str,
    content: bytes,
    title: str,
) -> None:
    """From any page: Hochladen -> choose the file -> title -> submit -> wait until searchable."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Hochladen", exact=True
    ).click()
    expect(page, "the nav link leads to the upload form").to_have_url(re.compile(r"/upload$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Materialien hochladen")
    page.get_by_label("Dateien").set_input_files(
        files=[
            {
                "name": name,
                "mimeType": "application/vnd.openxmlformats-officedocument."
                "presentationml.presentation",
                "buffer": content,
            }
        ]
    )
    page.get_by_label("Titel").fill(title)
    expect(page.get_by_label("Art"), "a presentation is the default kind").to_have_value(
        "praesentation"
    )
    shot("upload-form-filled")

    with page.expect_response(
        lambda r: r.url.endswith("/upload") and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name="Hochladen").click()
    assert posted.value.status == 201, (
        f"POST /upload answered {posted.value.status}, expected 201: {page.content()[:2000]}"
    )
    # The page's script sent the file with a progress bar and shows the result in place.
    expect(page.get_by_role("heading", level=2, name="Ergebnis des Hochladens")).to_be_visible()
    row = page.locator("li.outcome").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row, f"the result page lists {name} once, linked to its item").to_have_count(1)
    shot("upload-result")
    expect(
        row.locator(".state"),
        f"the polled status of {name} turns 'durchsuchbar' within "
        f"{SEARCHABLE_TIMEOUT_MS // 1000} s",
    ).to_have_text("durchsuchbar", timeout=SEARCHABLE_TIMEOUT_MS)
    shot("upload-searchable")


def search_from_nav(page: Page, shot: Callable[[str], None], word: str) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Suche", exact=True
    ).click()
    box = page.get_by_role("combobox", name="Suchbegriff")
    box.fill(word)
    box.press("Enter")
    expect(page, "the search runs as GET /search?q=…").to_have_url(re.compile(r"/search\?q="))
    expect(page.locator("p.total"), "the result count names the query").to_contain_text(
        f"Treffer für „{word}“"
    )
    shot("search-results")


def hit_on_slide(page: Page, word: str, slide: int) -> Locator:
    """The snippet of the hit that links to the given slide, checked for the highlight."""
    label = page.get_by_role("link", name=f"Folie {slide}", exact=True)
    snippet = page.locator("li.hit p.snippet").filter(has=label)
    expect(snippet, f"a hit for {word!r} is reported on 'Folie {slide}'").to_have_count(1)
    link = snippet.get_by_role("link", name=f"Folie {slide}", exact=True)
    expect(
        snippet.locator("mark").first, f"the snippet of Folie {slide} highlights {word!r}"
    ).to_have_text(re.compile(word, re.IGNORECASE))
    return link


# --- tests ----------------------------------------------------------------------------------


def test_new_user_uploads_finds_opens_downloads_and_hands_out(
    page: Page, shot: Callable[[str], None], make_pptx: Callable[..., bytes], tmp_path: Path
) -> None:
    deck = make_pptx(DECK_SLIDES)

    open_home(page, shot)
    upload_file(page, shot, DECK_NAME, deck, DECK_TITLE)
    search_from_nav(page, shot, DECK_WORD)
    expect(page.locator("p.total"), "exactly one item contains the word").to_contain_text(
        "1 Treffer"
    )
    hit = page.locator("li.hit")
    expect(hit.get_by_role("heading", level=3), "the hit shows the given title").to_have_text(
        DECK_TITLE
    )
    link = hit_on_slide(page, DECK_WORD, 3)
    expect(
        page.locator("li.hit p.snippet a", has_text=re.compile(r"^Folie [124]$")),
        "the word is not reported on any other slide",
    ).to_have_count(0)

    link.click()
    expect(page, "the slide link jumps to the anchor of slide 3").to_have_url(
        re.compile(r"/items/\d+#page-3$")
    )
    assert page.url.endswith("#page-3"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(DECK_TITLE)
    expect(page.locator("#page-3"), "slide 3 on the item page holds the word").to_contain_text(
        DECK_WORD
    )
    expect(page.locator("#page-3 h3")).to_have_text("Folie 3")
    expect(page.locator("#page-3"), "the browser scrolled to slide 3").to_be_in_viewport()
    shot("item-slide-3")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=DECK_NAME, exact=True).click()
    download = download_info.value
    assert download.failure() is None, f"download of the original failed: {download.failure()}"
    assert download.suggested_filename == DECK_NAME, (
        f"the original downloads as {download.suggested_filename!r}, expected {DECK_NAME!r}"
    )
    original = tmp_path / "original.pptx"
    download.save_as(original)
    assert original.read_bytes() == deck, "the downloaded original differs from the upload"

    with page.expect_download() as handout_info:
        page.get_by_role("link", name="Handout als PDF herunterladen").click()
    handout = handout_info.value
    assert handout.failure() is None, f"handout download failed: {handout.failure()}"
    assert handout.suggested_filename.endswith(".pdf"), handout.suggested_filename
    pdf_path = tmp_path / "handout.pdf"
    handout.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-"), f"the handout is no PDF: {pdf[:20]!r}"
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "de", f"handout /Lang is {root.get('/Lang')!r}, expected 'de'"
    text = "".join(p.extract_text() for p in reader.pages)
    assert DECK_TITLE in text, f"handout text lacks the title {DECK_TITLE!r}: {text[:500]!r}"
    shot("after-downloads")


def test_real_deck_is_found_on_its_third_slide_and_handed_out_in_the_mappe(
    page: Page, shot: Callable[[str], None], tmp_path: Path
) -> None:
    """The whole new-user path with a real deck: upload, search, slide 3, Mappe, its PDF."""
    path = CORPUS_DIR / REAL_DECK
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"real-document corpus not found at {CORPUS_DIR} (set KB_CORPUS_DIR)")
    if not path.is_file():
        pytest.skip(f"{REAL_DECK} not found in the corpus at {CORPUS_DIR}")
    deck = path.read_bytes()

    open_home(page, shot)
    upload_file(page, shot, REAL_DECK, deck, REAL_DECK_TITLE)
    search_from_nav(page, shot, REAL_DECK_WORD)
    hit = page.locator("li.hit").filter(has=page.get_by_role("link", name=re.compile("Coaching")))
    expect(hit, "the real deck is among the hits").to_have_count(1)
    link = hit_on_slide(page, REAL_DECK_WORD, 3)
    link.click()
    expect(page).to_have_url(re.compile(r"/items/\d+#page-3$"))
    expect(page.locator("#page-3")).to_contain_text(REAL_DECK_WORD)
    shot("item-slide-3")

    page.get_by_role("button", name="Zur Mappe hinzufügen").click()
    expect(page, "adding returns to the item page").to_have_url(re.compile(r"/items/\d+$"))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(r"^Mappe")
    ).click()
    expect(page, "the nav link leads to the Mappe").to_have_url(re.compile(r"/mappe$"))
    expect(page.locator("ol.mappe > li"), "the Mappe holds the deck, once").to_have_count(1)
    expect(page.locator("ol.mappe > li").first).to_contain_text(REAL_DECK_TITLE)
    shot("mappe")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mappe als PDF herunterladen").click()
    download = download_info.value
    assert download.failure() is None, f"Mappe PDF download failed: {download.failure()}"
    pdf_path = tmp_path / "mappe.pdf"
    download.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-"), f"the Mappe is no PDF: {pdf[:20]!r}"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert REAL_DECK_TITLE in text, f"Mappe PDF lacks the title: {text[:500]!r}"
    assert REAL_DECK_WORD in text, f"Mappe PDF lacks the slide-3 word: {text[:2000]!r}"


def test_keyboard_only_skip_link_and_search(page: Page, shot: Callable[[str], None]) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip, "the first Tab stop is the skip link").to_be_focused()
    expect(skip, "the focused skip link is visible").to_be_in_viewport()
    shot("skip-link-focused")

    page.keyboard.press("Enter")
    expect(page, "Enter on the skip link goes to #main").to_have_url(re.compile(r"#main$"))
    in_main = page.evaluate(
        "() => { const m = document.getElementById('main');"
        " return m === document.activeElement || m.contains(document.activeElement); }"
    )
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    assert in_main, f"after the skip link, focus should be in <main>, but it is on {focused}"
    shot("skip-link-used")

    page.keyboard.press("Tab")
    expect(
        page.get_by_role("combobox", name="Suchbegriff"),
        "the next Tab after the skip link lands on the search field, the first control in <main>",
    ).to_be_focused()
    page.keyboard.type("Arbeitgeber")
    shot("search-typed")
    page.keyboard.press("Enter")
    expect(page, "Enter in the search field runs the search").to_have_url(
        re.compile(r"/search\?q=Arbeitgeber$")
    )
    expect(page.locator("p.total")).to_contain_text("Treffer für „Arbeitgeber“")
    shot("search-results")
