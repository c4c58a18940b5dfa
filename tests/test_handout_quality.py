"""Handouts as a reader gets them: in the UI language (labels included), each deck with its
licence, a real structure tree (headings, tables with header cells, the QR code as a figure
with alt text), embedded Debian fonts, a cache key that follows the templates, and bad
input (no text, 600 pages, endless words, right-to-left, glyphs no font has) that still
gives a readable handout."""

from __future__ import annotations

import ctypes
import datetime
import io
import shutil
from typing import Any

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_raw
import pytest
from test_handout_kinds import _event_with_talks
from test_handouts import TEMPLATES, sample_data

from kb.handouts import handout_cache_key, render_item_handout, template_version
from kb.handouts.event import render_event_html
from kb.handouts.mappe import render_mappe_html
from kb.handouts.render import render_item_html
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.handouts import ITEM_PAGES, item_handout

A4_WIDTH = 595.3  # points, with a little rounding room


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """Text in reading order (pypdfium2: logical order for right-to-left, no ligature noise)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return " ".join(
            " ".join(document[i].get_textpage().get_text_range().split())
            for i in range(len(document))
        )
    finally:
        document.close()


def _last_item_id(kb) -> int:
    from sqlalchemy import func, select

    from kb.models import Item

    with kb.db.reading() as session:
        return int(session.scalar(select(func.max(Item.id))))


# -- 1. English handouts ---------------------------------------------------------------


@pytest.fixture
def english(client):
    """A browser that switched the UI to English."""
    assert client.get("/?lang=en").status_code == 200
    return client


def _pdf(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/pdf"
    return response.data


def test_english_event_handout_from_the_event_page(english, kb, make_item, set_item):
    slug = _event_with_talks(kb, make_item, set_item)
    pdf = _pdf(english, f"/events/{slug}/handout.pdf")
    assert _reader(pdf).trailer["/Root"]["/Lang"] == "en"
    text = _text(pdf)
    for expected in ("Programme", "Keynote", "Page 1 ", "Page 1 of", "All materials"):
        assert expected in text, expected
    for german in ("Impulsvortrag", "Folie ", "Seite ", "Programm ", "Beiträge"):
        assert german not in text, german


def test_english_item_handout_from_the_item_page(english, make_item, set_item):
    item_id = make_item("Erster Teil\fZweiter Teil", title="Impuls Kooperation",
                        kind="impulsvortrag", licence="all-rights-reserved")  # fmt: skip
    pdf = _pdf(english, f"/items/{item_id}/handout.pdf")
    assert _reader(pdf).trailer["/Root"]["/Lang"] == "en"
    text = _text(pdf)
    for expected in ("Keynote", "Published", "public", "All rights reserved", "Licence"):
        assert expected in text, expected
    for german in ("Impulsvortrag", "Veröffentlicht", "öffentlich", "Alle Rechte", "Seite "):
        assert german not in text, german


def test_english_mappe_from_the_mappe_page(english, make_item):
    first = make_item("Text eins", title="Eins", kind="praesentation", licence="cc-by-4.0")
    english.post("/mappe/items", data={"item_id": first})
    pdf = _pdf(english, "/mappe.pdf")
    assert _reader(pdf).trailer["/Root"]["/Lang"] == "en"
    text = _text(pdf)
    for expected in ("My folder", "Presentation", "Licence", "CC BY 4.0", "Link to the item"):
        assert expected in text, expected
    assert "Präsentation" not in text and "Meine Mappe" not in text


def test_english_guidance_handout_translates_the_validity_banner(kb, make_item):
    new = _guidance_pair(kb, make_item)
    text = _text(item_handout(kb, new, ANONYMOUS, "en")[0])
    assert "Applies from 01.01.2027" in text
    assert "Gilt ab" not in text


def test_cli_handout_in_english(runner, make_item, tmp_path):
    item_id = make_item("Text", title="Eins", kind="impulsvortrag")
    out = tmp_path / "en.pdf"
    result = runner.invoke(args=["handout", str(item_id), "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _reader(out.read_bytes()).trailer["/Root"]["/Lang"] == "en"
    assert "Keynote" in _text(out.read_bytes())
    bad = runner.invoke(args=["handout", str(item_id), "--lang", "fr", "-o", str(out)])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


# -- 2. Licences -----------------------------------------------------------------------


def test_event_handout_shows_each_decks_licence(kb, make_item, set_item):
    from kb.services.handout_kinds import event_handout

    slug = _event_with_talks(kb, make_item, set_item)
    talk = next(i for i in range(1, _last_item_id(kb) + 1) if _title(kb, i) == "Impuls Arbeitgeber")
    set_item(talk, licence="cc-by-sa-4.0")
    text = _text(event_handout(kb, slug, ANONYMOUS)[0])
    assert "Lizenz CC BY-SA 4.0" in text


def _title(kb, item_id: int) -> str:
    from kb.models import Item

    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        return item.title if item else ""


def test_mappe_handout_shows_licences(client, make_item):
    first = make_item("Eins", title="Eins", licence="cc0-1.0")
    second = make_item("Zwei", title="Zwei", licence="all-rights-reserved")
    for item_id in (first, second):
        client.post("/mappe/items", data={"item_id": item_id})
    text = _text(_pdf(client, "/mappe.pdf"))
    assert "CC0 1.0 (gemeinfrei)" in text and "Alle Rechte vorbehalten" in text


# -- 3. Structure tree and fonts --------------------------------------------------------


def struct_elements(reader: pypdf.PdfReader) -> list[tuple[str, tuple[str, ...], Any]]:
    """Every structure element as (type, types of its ancestors, element)."""
    found: list[tuple[str, tuple[str, ...], Any]] = []

    def walk(node: Any, ancestors: tuple[str, ...]) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid, ancestors)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            kind = str(node.get("/S", ""))
            if kind:
                found.append((kind, ancestors, node))
            if "/K" in node:
                walk(node["/K"], (*ancestors, kind) if kind else ancestors)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], ())
    return found


def embedded_fonts(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Base font name -> whether a TrueType font program (/FontFile2) is embedded."""
    fonts: dict[str, bool] = {}

    def visit(resources: Any) -> None:
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendant = (font.get("/DescendantFonts") or [font])[0].get_object()
            descriptor = descendant.get("/FontDescriptor")
            has_program = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts[str(font.get("/BaseFont"))] = has_program
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in reader.pages:
        visit(page["/Resources"])
    return fonts


def test_structure_tree_has_headings_header_cells_and_a_described_figure(tmp_path):
    reader = _reader(
        render_item_handout(sample_data(), templates_dir=TEMPLATES, static_dir=tmp_path)
    )
    elements = struct_elements(reader)
    kinds = [kind for kind, _ancestors, _node in elements]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") >= 2
    assert any(kind == "/TH" and "/Table" in ancestors for kind, ancestors, _ in elements)
    figures = [node for kind, _ancestors, node in elements if kind == "/Figure"]
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    assert "QR-Code mit dem Link zum Eintrag" in [str(f["/Alt"]) for f in figures]


def test_only_embedded_debian_fonts(kb, make_item, set_item):
    from kb.services.handout_kinds import event_handout

    slug = _event_with_talks(kb, make_item, set_item)
    for pdf in (event_handout(kb, slug, ANONYMOUS)[0],
                render_item_handout(sample_data(), templates_dir=TEMPLATES,
                                    static_dir=kb.static_dir)):  # fmt: skip
        fonts = embedded_fonts(_reader(pdf))
        assert fonts, "no fonts found"
        for name, has_program in fonts.items():
            family = name.split("+", 1)[-1]  # a subset prefix "ABCDEF+" first
            assert family.startswith(("DejaVu", "Liberation")), name
            assert has_program, f"{name} is not embedded"


# -- 4. Bad input ------------------------------------------------------------------------


def _pdfium_pages(texts: list[str]) -> bytes:
    """A real PDF with one page per text, built with pypdfium2 (an empty text: a blank page).

    Pages are made in chunks and imported into one document: adding hundreds of pages to a
    single new document slows down with each page.
    """
    whole = pypdfium2.PdfDocument.new()
    for start in range(0, len(texts), 20):
        chunk = pypdfium2.PdfDocument.new()
        for index, text in enumerate(texts[start : start + 20]):
            page = pdfium_raw.FPDFPage_New(chunk.raw, index, 595, 842)
            if text:
                obj = pdfium_raw.FPDFPageObj_NewTextObj(chunk.raw, b"Helvetica", 12.0)
                data = (text + "\x00").encode("utf-16-le")
                pdfium_raw.FPDFText_SetText(
                    obj, (ctypes.c_ushort * (len(data) // 2)).from_buffer_copy(data)
                )
                pdfium_raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72, 760)
                pdfium_raw.FPDFPage_InsertObject(page, obj)
                pdfium_raw.FPDFPage_GenerateContent(page)
            pdfium_raw.FPDF_ClosePage(page)
        whole.import_pages(chunk)
        chunk.close()
    out = io.BytesIO()
    whole.save(out)
    whole.close()
    return out.getvalue()


def test_an_item_without_text_says_so(client, kb, upload):
    upload([("leer.pdf", _pdfium_pages(["", ""]))], title="Leerer Scan")
    text = _text(_pdf(client, f"/items/{_last_item_id(kb)}/handout.pdf"))
    assert "Leerer Scan" in text
    assert "Aus den Dateien dieses Eintrags liegt kein Text vor." in text


def test_a_600_page_pdf_gives_a_handout_capped_at_the_limit(client, kb, upload):
    pages = [f"Seite {n} Inhalt Nummer{n}" for n in range(1, 601)]
    upload([("riesig.pdf", _pdfium_pages(pages))], title="Riesiger Bericht")
    pdf = _pdf(client, f"/items/{_last_item_id(kb)}/handout.pdf")
    text = _text(pdf)
    assert f"Nummer{ITEM_PAGES} " in text and f"Nummer{ITEM_PAGES + 1} " not in text
    assert "Nummer600" not in text
    assert f"Die übrigen {600 - ITEM_PAGES} Seiten sind nicht abgedruckt" in text
    # 40 short pages of text, not 600: a handful of A4 pages.
    assert len(_reader(pdf).pages) <= ITEM_PAGES // 2


def _chars_outside_a4(pdf: bytes) -> list[str]:
    """Characters whose box reaches beyond the page's right or left edge."""
    outside = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            assert page.get_width() <= A4_WIDTH  # every page is A4 wide, never wider
            textpage = page.get_textpage()
            for char in range(textpage.count_chars()):
                left, _bottom, right, _top = textpage.get_charbox(char)
                if right > A4_WIDTH or left < 0:
                    outside.append(textpage.get_text_range(char, 1))
    finally:
        document.close()
    return outside


def test_german_text_in_an_english_handout_is_marked_german():
    """Hyphenation follows the element's language: German slides in an English handout
    must not be broken by English rules (and a German handout needs no extra marks)."""
    data = sample_data(title="Integrationskoordination", summary="Förderrichtlinie",
                       language="de")  # fmt: skip
    english = render_item_html(data, templates_dir=TEMPLATES, lang="en")
    assert '<html lang="en">' in english
    assert 'lang="de">Integrations' in english and '<p lang="de">Förderrichtlinie' in english
    german = render_item_html(data, templates_dir=TEMPLATES, lang="de")
    assert 'lang="de">' not in german.replace('<html lang="de">', "")
    mappe = render_mappe_html({"title": "Folder", "items": [data]}, templates_dir=TEMPLATES,
                              lang="en")  # fmt: skip
    assert '<p lang="de">Förderrichtlinie' in mappe
    talk = {"title": "Impuls", "summary": "Arbeitsmarktintegration", "language": "de",
            "slides": [{"label": "Folie 1", "lines": ["Sprachkursträger"]}]}  # fmt: skip
    event = render_event_html({"title": "Werkstatt", "talks": [talk]}, templates_dir=TEMPLATES,
                              lang="en")  # fmt: skip
    assert '<p lang="de">Arbeitsmarktintegration' in event
    assert '<p lang="de">Sprachkursträger' in event
    # Whatever the database holds, only a language tag reaches the attribute.
    hostile = render_item_html({**data, "language": 'de" onload="x'}, templates_dir=TEMPLATES,
                               lang="en")  # fmt: skip
    assert "onload" not in hostile


def test_long_words_and_urls_wrap_inside_the_page(tmp_path):
    word = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung" * 4
    url = "https://example.org/" + "sehr-lange-adresse/" * 30
    files = [{"name": f"{word}.pptx", "size": 1, "mime_label": "PPTX", "sha256": "ab" * 32}]
    data = sample_data(title=word, summary=f"{url}\n\n{word}", url=url, files=files)
    pdf = render_item_handout(data, templates_dir=TEMPLATES, static_dir=tmp_path)
    assert _chars_outside_a4(pdf) == []
    joined = _text(pdf).replace(" ", "").replace("\u00ad", "").replace("-", "")
    assert word in joined and url.replace("-", "") in joined


def test_right_to_left_text_keeps_its_order(tmp_path):
    arabic = "مرحبا بكم في ورشة العمل"
    data = sample_data(summary=f"Begrüßung: {arabic}")
    text = _text(render_item_handout(data, templates_dir=TEMPLATES, static_dir=tmp_path))
    assert arabic in text


def test_a_character_no_font_has_falls_back(tmp_path):
    data = sample_data(summary="Vor \U0010fffd und 𓀀 nach dem Zeichen")
    pdf = render_item_handout(data, templates_dir=TEMPLATES, static_dir=tmp_path)
    text = _text(pdf)
    assert "Vor" in text and "nach dem Zeichen" in text
    assert all(has for has in embedded_fonts(_reader(pdf)).values())


# -- 5. The template version is derived, not bumped by hand -------------------------------


def test_changing_a_template_changes_the_cache_key(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "handouts", copy / "handouts")
    before = handout_cache_key(sample_data(), "de", "public", copy)
    assert before == handout_cache_key(sample_data(), "de", "public", TEMPLATES)
    css = copy / "handouts" / "handout.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { color: black; }\n", "utf-8")
    template_version.cache_clear()  # a new process: the version is derived at first use
    try:
        after = handout_cache_key(sample_data(), "de", "public", copy)
    finally:
        template_version.cache_clear()
    assert after != before
    assert handout_cache_key(sample_data(), "de", "public", TEMPLATES) == before


# -- 6. "Was ist neu" lists removed lines too -------------------------------------------


def _guidance_pair(kb, make_item) -> int:
    from kb.services.guidance import GuidanceEdit, set_guidance

    kb.config["KB_TODAY"] = "2026-11-25"
    old = make_item("Nachweis innerhalb von drei Monaten.\nFormular A ausfüllen.",
                    title="Merkblatt 2026", kind="leitfaden")  # fmt: skip
    new = make_item("Nachweis innerhalb von sechs Monaten.",
                    title="Merkblatt 2027", kind="leitfaden")  # fmt: skip
    edit = GuidanceEdit(issuing_body="LVwA", valid_from=datetime.date(2027, 1, 1),
                        supersedes_id=old)  # fmt: skip
    set_guidance(kb, new, edit, SYSTEM)
    return new


def test_whats_new_lists_added_and_removed_lines(kb, make_item):
    from kb.services.handout_kinds import guidance_data

    new = _guidance_pair(kb, make_item)
    changes = guidance_data(kb, new, ANONYMOUS)["whats_new"]
    assert {"change": "added", "text": "Nachweis innerhalb von sechs Monaten."} in changes
    assert {"change": "removed", "text": "Formular A ausfüllen."} in changes
    text = _text(item_handout(kb, new, ANONYMOUS)[0])
    assert "neu: Nachweis innerhalb von sechs Monaten." in text
    assert "entfällt: Formular A ausfüllen." in text
    assert "dropped: Formular A ausfüllen." in _text(item_handout(kb, new, ANONYMOUS, "en")[0])
