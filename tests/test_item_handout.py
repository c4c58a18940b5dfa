"""The item handout through the service: cover facts, QR code and file links, the page
limit for huge files, a bounded cache that a change invalidates, and hostile text."""

from __future__ import annotations

import io
import os
import time

import pypdf
import pytest
from test_handouts import TEMPLATES, link_uris, sample_data, text_of

from kb.handouts import render_item_handout, render_item_html
from kb.services.access import ANONYMOUS
from kb.services.handouts import ITEM_PAGES, item_handout, prune_cache


def _pdf(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def test_cover_names_people_places_topics_and_links_back(kb, make_item):
    item_id = make_item(
        "Folientext",
        title="Arbeitgeberfrühstück",
        speakers="Team Integrationskoordination Harz",
        organisation="Landkreis Harz",
        districts=["15085"],
        topics=["Arbeitsmarktintegration"],
        programme="AMIF",
    )
    pdf, _name = item_handout(kb, item_id, ANONYMOUS)
    reader = _pdf(pdf)
    text = text_of(reader)
    for expected in (
        "Team Integrationskoordination Harz",
        "Landkreis Harz",
        "Harz",
        "Arbeitsmarktintegration",
        "AMIF",
        "QR-Code scannen",
    ):
        assert expected in text, expected
    uris = link_uris(reader)
    assert f"http://kb.test/items/{item_id}" in uris
    assert any(u.startswith(f"http://kb.test/items/{item_id}/files/") for u in uris)


def test_qr_code_is_inline_svg_with_a_text_alternative(tmp_path):
    html = render_item_html(sample_data(), templates_dir=TEMPLATES)
    assert '<svg role="img" aria-label="QR-Code mit dem Link zum Eintrag"' in html
    assert "<title>QR-Code mit dem Link zum Eintrag</title>" in html
    # A link that is not a web address gets no QR code (nothing to scan to).
    plain = render_item_html(sample_data(url="file:///etc/passwd"), templates_dir=TEMPLATES)
    assert "<svg" not in plain


def test_a_long_file_is_summarised_not_reprinted(kb, make_item):
    pages = "\f".join(f"Seite Nummer {n} Inhalt" for n in range(1, ITEM_PAGES + 21))
    item_id = make_item(pages, title="Sehr langes Dokument")
    reader = _pdf(item_handout(kb, item_id, ANONYMOUS)[0])
    text = text_of(reader)
    assert f"Seite Nummer {ITEM_PAGES} Inhalt" in text
    assert f"Seite Nummer {ITEM_PAGES + 1} Inhalt" not in text
    assert "Die übrigen 20 Seiten sind nicht abgedruckt" in text


def test_a_change_to_the_item_gives_a_new_handout(kb, make_item, set_item):
    item_id = make_item("Text", title="Erster Titel")
    first = item_handout(kb, item_id, ANONYMOUS)[0]
    assert item_handout(kb, item_id, ANONYMOUS)[0] == first  # served from the cache
    set_item(item_id, title="Zweiter Titel")
    second = item_handout(kb, item_id, ANONYMOUS)[0]
    assert "Zweiter Titel" in text_of(_pdf(second))


def test_the_cache_stays_within_its_bound(kb, make_item):
    kb.config["KB_HANDOUT_CACHE_MB"] = 0.001  # about 1 KB: room for the newest PDF only
    first = make_item("Eins", title="Eins")
    second = make_item("Zwei", title="Zwei")
    item_handout(kb, first, ANONYMOUS)
    item_handout(kb, second, ANONYMOUS)
    cached = list((kb.config["KB_INSTANCE_DIR"] / "handout-cache").glob("*.pdf"))
    assert len(cached) == 1
    assert "Zwei" in text_of(_pdf(cached[0].read_bytes()))


def test_prune_removes_least_recently_used_first(tmp_path):
    for age, name in enumerate(["new", "middle", "old"]):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(b"x" * 100)
        stamp = time.time() - age * 100
        os.utime(path, (stamp, stamp))
    assert prune_cache(tmp_path, 250) == 1
    assert sorted(p.stem for p in tmp_path.glob("*.pdf")) == ["middle", "new"]


@pytest.mark.parametrize(
    "title",
    [
        '<script>alert("x")</script><img src=x onerror=alert(1)>',
        "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung" * 4,
        "https://example.org/" + "sehr-lange-adresse/" * 30,
        "مرحبا بكم في ورشة العمل",  # right-to-left
        "ሰላም 漢字 ᚠᚢᚦ 𓀀",  # scripts the Debian fonts may lack: fall back, never crash
    ],
)
def test_hostile_and_unusual_text_renders(tmp_path, title):
    data = sample_data(title=title, summary=title)
    pdf = render_item_handout(data, templates_dir=TEMPLATES, static_dir=tmp_path)
    reader = _pdf(pdf)
    assert len(reader.pages) >= 1
    text = text_of(reader)
    if title.startswith("<script>"):
        assert "<script>" in text  # shown as text, not run or dropped
    assert "/JavaScript" not in str(reader.trailer["/Root"])
