"""Tests of kb.extract on documents built here, in tmp_path, with the real libraries."""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import docx
import pytest
from odfdo import Document as OdfDocument
from odfdo import Element, Header, Paragraph
from pptx import Presentation
from pptx.util import Inches

from kb.errors import CorruptFile, EncryptedFile, NoTextFound, UnsupportedType
from kb.extract import (
    SUPPORTED,
    Extracted,
    extract,
    registry,
)
from kb.extract.chunks import SECTION_CHARS
from kb.extract.containers import OLE_MAGIC

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
TXT = "text/plain"
MD = "text/markdown"


# --- fixtures: small documents of every supported format -------------------------------


@pytest.fixture
def pptx_file(tmp_path: Path) -> Path:
    """Three slides: title + body, a table, and a group with a unique word plus notes."""
    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[1])
    first.shapes.title.text = "Willkommen zur Ideenwerkstatt"
    first.placeholders[1].text = "Erste Folie"
    second = prs.slides.add_slide(prs.slide_layouts[5])
    second.shapes.title.text = "Tabelle"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (row, col), text in {(0, 0): "Kopf A", (0, 1): "Kopf B", (1, 0): "Wert 1"}.items():
        table.cell(row, col).text = text
    table.cell(1, 1).text = "Wert 2"
    third = prs.slides.add_slide(prs.slide_layouts[6])
    group = third.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1))
    box.text_frame.text = "Zauberwort im Gruppenfeld"
    top = third.shapes.add_textbox(Inches(1), Inches(0.2), Inches(3), Inches(0.5))
    top.text_frame.text = "Oben"
    third.notes_slide.notes_text_frame.text = "Sprechernotiz zur dritten Folie"
    path = tmp_path / "folien.pptx"
    prs.save(path)
    return path


@pytest.fixture
def docx_file(tmp_path: Path) -> Path:
    """Heading, paragraph, table, paragraph, explicit page break, paragraph."""
    document = docx.Document()
    document.add_heading("Bericht zur Förderung", 1)
    document.add_paragraph("Erste Seite Text.")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "A1", (0, 1): "B1", (1, 0): "A2", (1, 1): "B2"}.items():
        table.cell(row, col).text = text
    document.add_paragraph("Nach der Tabelle.")
    document.add_page_break()
    document.add_paragraph("Zweite Seite Text.")
    path = tmp_path / "bericht.docx"
    document.save(path)
    return path


def _odt(path: Path, *, page_break: bool) -> Path:
    document = OdfDocument("text")
    document.body.append(Header(1, "Überschrift"))
    document.body.append(Paragraph("Erste Seite über Förderung"))
    if page_break:
        document.body.append(Element.from_tag("<text:soft-page-break/>"))
    document.body.append(
        Element.from_tag(
            '<table:table table:name="T"><table:table-row>'
            "<table:table-cell><text:p>Zelle A</text:p></table:table-cell>"
            "<table:table-cell><text:p>Zelle B</text:p></table:table-cell>"
            "</table:table-row></table:table>"
        )
    )
    document.body.append(Paragraph("Zweite Seite"))
    document.save(path)
    return path


@pytest.fixture
def odp_file(tmp_path: Path) -> Path:
    """Two slides: subtitle before title in the XML, notes; and a shape with ODF spaces."""
    document = OdfDocument("presentation")
    for child in document.body.children:
        if child.tag == "draw:page":
            document.body.delete(child)
    document.body.append(
        Element.from_tag(
            '<draw:page draw:name="p1">'
            '<draw:frame presentation:class="subtitle"><draw:text-box>'
            "<text:p>Unterzeile</text:p></draw:text-box></draw:frame>"
            '<draw:frame presentation:class="title"><draw:text-box>'
            "<text:p>Titel Eins</text:p></draw:text-box></draw:frame>"
            "<presentation:notes><draw:page-thumbnail/><draw:frame><draw:text-box>"
            "<text:p>Notiz eins</text:p></draw:text-box></draw:frame></presentation:notes>"
            "</draw:page>"
        )
    )
    document.body.append(
        Element.from_tag(
            '<draw:page draw:name="p2"><draw:custom-shape><text:p>Form<text:s text:c="3"/>'
            "zwei<text:tab/>Tab<text:line-break/>Umbruch</text:p></draw:custom-shape>"
            "</draw:page>"
        )
    )
    path = tmp_path / "folien.odp"
    document.save(path)
    return path


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """A three-page PDF rendered by WeasyPrint (imported lazily: it is slow to import)."""
    import weasyprint

    pages = "".join(
        f'<p style="page-break-before: always">Seite {n}: Wir finden die '
        f"Arbeitsmarktintegration und Förderung wichtig. Wort{n}</p>"
        for n in (1, 2, 3)
    )
    return weasyprint.HTML(string=f"<html lang='de'><body>{pages}</body></html>").write_pdf()


@pytest.fixture
def pdf_file(tmp_path: Path, pdf_bytes: bytes) -> Path:
    path = tmp_path / "drei.pdf"
    path.write_bytes(pdf_bytes)
    return path


# --- per-format extraction -------------------------------------------------------------


def test_pdf_one_string_per_page(pdf_file: Path) -> None:
    result = extract(pdf_file, PDF)
    assert result.unit == "page"
    assert len(result.pages) == 3
    for number, page in enumerate(result.pages, start=1):
        assert f"Seite {number}" in page
        assert f"Wort{number}" in page
        assert "Förderung" in page and "finden" in page


def test_pdf_that_is_random_bytes_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(CorruptFile) as info:
        extract(path, PDF)
    assert "beschädigt" in info.value.message_de
    assert "damaged" in info.value.message("en")


def test_pptx_slides_title_shapes_table_notes(pptx_file: Path) -> None:
    result = extract(pptx_file, PPTX)
    assert result.unit == "slide"
    assert len(result.pages) == 3
    first, second, third = result.pages
    assert first.startswith("Willkommen zur Ideenwerkstatt\n")
    assert "Kopf A | Kopf B\nWert 1 | Wert 2" in second
    assert [i for i, page in enumerate(result.pages) if "Zauberwort" in page] == [2]
    assert third.index("Oben") < third.index("Zauberwort")  # top to bottom
    assert third.endswith("Notizen:\nSprechernotiz zur dritten Folie")


def test_docx_splits_at_page_break_in_body_order(docx_file: Path) -> None:
    result = extract(docx_file, DOCX)
    assert result == Extracted(
        pages=[
            "Bericht zur Förderung\nErste Seite Text.\nA1 | B1\nA2 | B2\nNach der Tabelle.",
            "Zweite Seite Text.",
        ],
        unit="page",
    )


def test_docx_without_breaks_is_cut_into_sections(tmp_path: Path) -> None:
    document = docx.Document()
    paragraphs = [f"Absatz {n}: " + "Integration " * 40 for n in range(40)]
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / "lang.docx"
    document.save(path)
    result = extract(path, DOCX)
    assert result.unit == "section"
    assert len(result.pages) > 3
    assert all(len(section) <= SECTION_CHARS for section in result.pages)
    # whole paragraphs: every paragraph is inside exactly one section
    for text in paragraphs:
        assert sum(text.strip() in section for section in result.pages) == 1


def test_odt_pages_at_soft_page_breaks(tmp_path: Path) -> None:
    result = extract(_odt(tmp_path / "a.odt", page_break=True), ODT)
    assert result == Extracted(
        pages=["Überschrift\nErste Seite über Förderung", "Zelle A | Zelle B\nZweite Seite"],
        unit="page",
    )


def test_odt_without_breaks_is_sections(tmp_path: Path) -> None:
    result = extract(_odt(tmp_path / "b.odt", page_break=False), ODT)
    assert result.unit == "section"
    assert result.pages == [
        "Überschrift\nErste Seite über Förderung\nZelle A | Zelle B\nZweite Seite"
    ]


def test_odp_slides_title_first_and_notes(odp_file: Path) -> None:
    result = extract(odp_file, ODP)
    assert result == Extracted(
        pages=["Titel Eins\nUnterzeile\nNotizen:\nNotiz eins", "Form zwei Tab\nUmbruch"],
        unit="slide",
    )


def test_odf_that_is_no_zip_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "x.odt"
    path.write_text("This is not a zip file!\n")
    with pytest.raises(CorruptFile):
        extract(path, ODT)


def test_odf_with_encrypted_manifest(tmp_path: Path) -> None:
    path = tmp_path / "geheim.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", ODT)
        zf.writestr("content.xml", os.urandom(200))
        zf.writestr("META-INF/manifest.xml", "<manifest><encryption-data/></manifest>")
    with pytest.raises(EncryptedFile):
        extract(path, ODT)


def test_text_utf8_and_cp1252(tmp_path: Path) -> None:
    text = "Grüße aus Dessau-Roßlau – „Förderung“ für Zuwanderer: 5 €\n"
    utf8, cp1252 = tmp_path / "u.txt", tmp_path / "w.txt"
    utf8.write_bytes(text.encode("utf-8"))
    cp1252.write_bytes(text.encode("cp1252"))
    assert extract(utf8, TXT) == Extracted(pages=[text.strip()], unit="page")
    assert extract(cp1252, TXT) == Extracted(pages=[text.strip()], unit="page")


def test_text_pages_at_form_feeds(tmp_path: Path) -> None:
    path = tmp_path / "seiten.md"
    path.write_text("# Eins\n\fZwei\r\n\fDrei", encoding="utf-8")
    assert extract(path, MD) == Extracted(pages=["# Eins", "Zwei", "Drei"], unit="page")


def test_text_without_form_feeds_is_chunked_on_lines(tmp_path: Path) -> None:
    lines = [f"Zeile {n} " + "x" * 90 for n in range(100)]
    path = tmp_path / "lang.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = extract(path, TXT)
    assert result.unit == "page"
    assert len(result.pages) == 4
    assert "\n".join(result.pages).split("\n") == lines


def test_empty_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "leer.txt"
    path.write_bytes(b"")
    with pytest.raises(NoTextFound) as info:
        extract(path, TXT)
    assert info.value.message_de == "Die Datei ist leer."
    assert info.value.message_en == "The file is empty."


def test_blank_document_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    with pytest.raises(NoTextFound) as info:
        extract(path, DOCX)
    assert "kein Text" in info.value.message_de


def test_truncated_zip_is_corrupt(tmp_path: Path, docx_file: Path) -> None:
    data = docx_file.read_bytes()
    path = tmp_path / "halb.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        extract(path, DOCX)
    with pytest.raises(CorruptFile):
        extract(path, PPTX)


def test_encrypted_ooxml_container(tmp_path: Path) -> None:
    path = tmp_path / "geheim.pptx"
    path.write_bytes(OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(EncryptedFile) as info:
        extract(path, PPTX)
    assert "verschlüsselt" in info.value.message_de
    with pytest.raises(EncryptedFile):
        extract(path, "application/x-encrypted-ooxml")


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "bild.gif"
    path.write_bytes(b"GIF89a" + bytes(64))
    with pytest.raises(UnsupportedType) as info:
        extract(path, "image/gif")
    assert info.value.message_de == (
        "Dateityp GIF wird nicht unterstützt; unterstützt werden PDF, PPTX, DOCX, ODT, ODP, "
        "ODS, XLSX, TXT, MD, CSV, PNG und JPEG."
    )
    assert info.value.message_en.startswith("File type GIF is not supported")


def test_unexpected_parser_error_becomes_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(path: Path) -> Extracted:
        raise ZeroDivisionError("parser bug")

    monkeypatch.setitem(registry._EXTRACTORS, TXT, broken)
    path = tmp_path / "a.txt"
    path.write_text("Hallo")
    with caplog.at_level(logging.WARNING, logger="kb.extract"):
        with pytest.raises(CorruptFile):
            extract(path, TXT)
    assert "ZeroDivisionError" in caplog.text


def test_supported_is_the_allow_list() -> None:
    assert SUPPORTED == {
        PDF: "PDF",
        PPTX: "PPTX",
        DOCX: "DOCX",
        ODT: "ODT",
        ODP: "ODP",
        "application/vnd.oasis.opendocument.spreadsheet": "ODS",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
        TXT: "TXT",
        MD: "MD",
        "text/csv": "CSV",
        "image/png": "PNG",
        "image/jpeg": "JPEG",
    }
