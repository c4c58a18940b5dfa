"""The formats added for issue 4: spreadsheets, CSV, images with OCR, and old binary Office.

Files are built here with openpyxl, odfdo and Pillow. OCR tests need Tesseract with German
data (Debian tesseract-ocr, tesseract-ocr-deu; installed by scripts/system-deps.sh test) and
skip with that message elsewhere; what happens without OCR is tested everywhere by hiding
the program.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from extract_files import CSV, JPEG, ODS, PDF, PNG, XLSX, image_pdf, ods, text_image, xlsx

from kb.errors import CorruptFile, NoTextFound, UnsupportedType
from kb.extract import Extracted, extract, extract_in_child, ocr, sniff_mime
from kb.extract.containers import OLE_MAGIC

needs_ocr = pytest.mark.skipif(
    not ocr.available(),
    reason="OCR test: install Debian tesseract-ocr, tesseract-ocr-deu, tesseract-ocr-eng",
)


@pytest.fixture
def no_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend Tesseract is not installed."""
    monkeypatch.setattr(ocr, "TESSERACT", "kb-test-no-such-tesseract")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- spreadsheets -------------------------------------------------------------------


def test_xlsx_one_page_per_sheet_with_its_name(tmp_path: Path) -> None:
    data = xlsx(
        {
            "Haushalt 2025": [["Posten", "Betrag"], ["Sprachkurs", 1200.0], [None, None]],
            "Leer": [],
            "Termine": [["Ideenwerkstatt", dt.datetime(2025, 3, 14)], ["Wahr", True]],
        }
    )
    path = _write(tmp_path, "plan.xlsx", data)
    assert sniff_mime(path, "plan.xlsx") == XLSX
    result = extract(path, XLSX)
    assert result == Extracted(
        pages=[
            "Haushalt 2025\nPosten | Betrag\nSprachkurs | 1200",
            "",
            "Termine\nIdeenwerkstatt | 2025-03-14\nWahr | True",
        ],
        unit="sheet",
    )


def test_xlsx_stored_under_its_hash_without_extension(tmp_path: Path) -> None:
    """The blob store names files by SHA-256; openpyxl must not insist on ".xlsx"."""
    path = _write(tmp_path, "3f9a0c", xlsx({"Blatt": [["Sprachmittlung"]]}))
    assert extract(path, XLSX).pages == ["Blatt\nSprachmittlung"]


def test_xlsx_formula_without_cached_value_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.xlsx", xlsx({"Blatt": [["Summe", "=1+2"]]}))
    assert extract(path, XLSX).pages == ["Blatt\nSumme"]


def test_ods_one_page_per_table_and_repeated_rows_not_expanded(tmp_path: Path) -> None:
    data = ods({"Teilnehmende": [["Kreis", "Anzahl"], ["Harz", "17"]], "Zweites": [["Börde"]]})
    path = _write(tmp_path, "liste.ods", data)
    assert sniff_mime(path, "liste.ods") == ODS
    result = extract(path, ODS)
    assert result == Extracted(
        pages=["Teilnehmende\nKreis | Anzahl\nHarz | 17", "Zweites\nBörde"], unit="sheet"
    )


# --- CSV ------------------------------------------------------------------------------


def test_csv_german_excel_dialect_in_cp1252(tmp_path: Path) -> None:
    text = 'Kreis;Betrag;Notiz\r\nDessau-Roßlau;1.200,50;"Förderung; bewilligt"\r\n'
    path = _write(tmp_path, "export.csv", text.encode("cp1252"))
    assert sniff_mime(path, "export.csv") == CSV
    result = extract(path, CSV)
    assert result == Extracted(
        pages=["Kreis | Betrag | Notiz\nDessau-Roßlau | 1.200,50 | Förderung; bewilligt"],
        unit="section",
    )


def test_csv_with_commas_and_a_broken_quote_is_still_read(tmp_path: Path) -> None:
    good = _write(tmp_path, "a.csv", b"name,ort\nAmira,Halle\n")
    assert extract(good, CSV).pages == ["name | ort\nAmira | Halle"]
    # The open quote swallows the rest into a field over the csv module's size limit:
    # the file is then read as plain lines rather than failing.
    broken = _write(tmp_path, "b.csv", b'a;b\n"offen;' + b"x" * 200_000 + b"\n")
    pages = extract(broken, CSV).pages
    assert pages[0] == "a;b" and pages[1].startswith('"offen;xxx')


# --- images and OCR -----------------------------------------------------------------------


@needs_ocr
@pytest.mark.parametrize(("fmt", "mime"), [("PNG", PNG), ("JPEG", JPEG)])
def test_image_text_by_ocr(tmp_path: Path, fmt: str, mime: str) -> None:
    data = text_image(["Integrationskurs in Magdeburg", "Förderung 2025"], fmt=fmt)
    path = _write(tmp_path, f"tafel.{fmt.lower()}", data)
    assert sniff_mime(path, path.name) == mime
    result = extract(path, mime)
    assert "Integrationskurs" in result.pages[0] and "Magdeburg" in result.pages[0]
    assert "Förderung" in result.pages[0]
    assert (result.unit, result.ocr, result.ocr_pages) == ("page", True, (1,))
    assert result.message() == "Text per Texterkennung (OCR) gelesen; er kann Fehler enthalten."
    assert result.message("en").startswith("Text read by text recognition (OCR)")


@needs_ocr
def test_scanned_pdf_by_ocr(tmp_path: Path) -> None:
    scans = [text_image(["Verwendungsnachweis"]), text_image(["Zweite Seite Kostenplan"])]
    path = _write(tmp_path, "scan.pdf", image_pdf(scans))
    result = extract(path, PDF)
    assert "Verwendungsnachweis" in result.pages[0] and "Kostenplan" in result.pages[1]
    assert result.ocr_pages == (1, 2)
    assert "Text per Texterkennung (OCR) gelesen" in result.message()


@needs_ocr
def test_blank_image_has_no_recognised_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "weiss.png", text_image([]))
    with pytest.raises(NoTextFound) as info:
        extract(path, PNG)
    assert info.value.message_de == "Die Texterkennung (OCR) hat keinen Text gefunden."


def test_image_without_tesseract_is_stored_and_says_why(tmp_path: Path, no_tesseract: None) -> None:
    path = _write(tmp_path, "tafel.png", text_image(["Text"]))
    assert not ocr.available()
    with pytest.raises(NoTextFound) as info:
        extract(path, PNG)
    assert "Texterkennung (OCR) nicht eingerichtet" in info.value.message_de


def test_scan_without_tesseract_says_why(tmp_path: Path, no_tesseract: None) -> None:
    path = _write(tmp_path, "scan.pdf", image_pdf([text_image(["Seite"])]))
    with pytest.raises(NoTextFound) as info:
        extract(path, PDF)
    assert "Texterkennung (OCR) ist nicht eingerichtet" in info.value.message_de


def test_ocr_can_be_switched_off(tmp_path: Path) -> None:
    path = _write(tmp_path, "tafel.png", text_image(["Text"]))
    with pytest.raises(NoTextFound) as info:
        extract(path, PNG, use_ocr=False)
    assert "nicht eingerichtet" in info.value.message_de


@pytest.mark.parametrize("use_ocr", [True, False])
def test_damaged_image_is_corrupt(tmp_path: Path, use_ocr: bool) -> None:
    """In the child, as the worker runs it: WeasyPrint, imported by other tests, tells
    Pillow to pad truncated images (a process-wide switch) and is never loaded there."""
    data = text_image(["Text"])
    path = _write(tmp_path, "halb.png", data[: len(data) // 3])
    with pytest.raises(CorruptFile):
        extract_in_child(path, PNG, use_ocr=use_ocr)


# --- old binary Office ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "new"), [("vortrag.ppt", "PPTX"), ("brief.doc", "DOCX"), ("tabelle.xls", "XLSX")]
)
def test_old_office_format_asks_for_the_new_one(tmp_path: Path, name: str, new: str) -> None:
    path = _write(tmp_path, name, OLE_MAGIC + bytes(2048))
    mime = sniff_mime(path, name)
    with pytest.raises(UnsupportedType) as info:
        extract(path, mime)
    assert f"als {new} speichern" in info.value.message_de
    assert f"save the file as {new}" in info.value.message_en
