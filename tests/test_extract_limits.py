"""Every extraction limit has a test, and every message names its limit.

Limits are module constants in kb.extract.limits; tests lower them with monkeypatch
instead of building files of 2,000 pages. The child-process limits (memory, CPU and
wall-clock time) are tested in test_extract_child.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from extract_files import (
    DOCX,
    PDF,
    PNG,
    PPTX,
    TXT,
    XLSX,
    docx_bomb,
    docx_file,
    image_pdf,
    png_header,
    pptx,
    text_image,
    xlsx,
)

from kb.errors import CorruptFile, ExtractionError, NoTextFound
from kb.extract import containers, extract, extract_in_child, limits, ocr, sniff_mime
from kb.extract import pdf as pdf_module


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pages_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 2)
    path = _write(tmp_path, "f.pptx", pptx(["Eins", "Zwei", "Drei"]))
    result = extract(path, PPTX)
    assert [page.split("\n")[0] for page in result.pages] == ["Eins", "Zwei"]
    assert result.message() == (
        "Nur die ersten 2 von 3 Folien wurden gelesen (Grenze: 2 Folien pro Datei)."
    )
    assert result.message("en") == (
        "Only the first 2 of 3 slides were read (limit: 2 slides per file)."
    )


def test_pages_per_file_applies_to_sections_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 2)
    path = _write(tmp_path, "lang.docx", docx_file(["Absatz " + "Wort " * 700] * 5))
    result = extract(path, DOCX)
    assert len(result.pages) == 2
    assert "Grenze: 2 Abschnitte pro Datei" in result.message()


def test_pdf_stops_reading_at_the_page_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_pdf
) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 1)
    path = _write(tmp_path, "zwei.pdf", make_pdf(["Erste Seite Text", "Zweite Seite Text"]))
    result = extract(path, PDF)
    assert result.pages == ["Erste Seite Text"]
    assert "Grenze: 1 Seiten pro Datei" in result.message()


def test_rows_per_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_ROWS", 2)
    path = _write(tmp_path, "t.xlsx", xlsx({"Liste": [["a"], ["b"], ["c"]], "Kurz": [["x"]]}))
    result = extract(path, XLSX)
    assert result.pages == ["Liste\na\nb", "Kurz\nx"]
    assert result.message() == (
        "Tabellenblatt „Liste“: nur die ersten 2 Zeilen wurden gelesen (Grenze: 2 Zeilen je "
        "Tabellenblatt)."
    )


def test_text_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 2 * 1024 * 1024)
    path = _write(tmp_path, "lang.txt", b"Zeile mit Text\n" * 300_000)  # 4.5 MB
    result = extract(path, TXT)
    assert sum(len(page) for page in result.pages) < 2 * 1024 * 1024
    assert "Nur die ersten 2 MB des Textes wurden gelesen (Grenze: 2 MB" in result.message()


def test_zip_bomb_in_docx_clothing_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, "harmlos.docx", docx_bomb(100))  # 100 MB inflated, 0.3 MB packed
    assert sniff_mime(path, path.name) == DOCX
    with pytest.raises(ExtractionError) as info:
        extract_in_child(path, DOCX)
    assert info.value.message_de == (
        "Ein Teil der Datei ist mehr als 200-fach gepackt (Grenze: 200-fach); die Datei wurde "
        "zum Schutz nicht gelesen (ZIP-Bombe?)."
    )


def test_zip_unpacked_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    path = _write(tmp_path, "gross.docx", docx_bomb(2))
    with pytest.raises(ExtractionError) as info:
        extract(path, DOCX)
    assert "größer als 1 MB (Grenze für Office-Dateien: 1 MB entpackt)" in info.value.message_de


def test_zip_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pptx(["Folie"]))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        for number in range(30):
            dst.writestr(f"ppt/media/leer{number}.bin", b"")
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 20)
    path = _write(tmp_path, "viele.pptx", out.getvalue())
    with pytest.raises(ExtractionError) as info:
        extract(path, PPTX)
    assert "mehr als 20 Teilen (Grenze: 20 Teile je Office-Datei)" in info.value.message_de


def test_real_office_files_pass_the_zip_guard(tmp_path: Path) -> None:
    path = _write(tmp_path, "ok.docx", docx_file(["Harmlos " * 2000] * 50))
    assert extract(path, DOCX).pages


@pytest.mark.parametrize(("width", "height"), [(10_000, 6_000), (100_000, 100_000)])
def test_image_pixels(tmp_path: Path, width: int, height: int) -> None:
    """Our limit (50 MP), and Pillow's bomb guard far beyond it, give the same message."""
    path = _write(tmp_path, "riesig.png", png_header(width, height))
    with pytest.raises(ExtractionError) as info:
        extract(path, PNG)
    assert info.value.message_de == (
        "Das Bild ist zu groß (Grenze: 50 Megapixel); sein Text wurde nicht gelesen."
    )


def _fake_ocr(monkeypatch: pytest.MonkeyPatch, texts: list[str | None]) -> None:
    """OCR that returns ``texts`` in turn; None means the time budget ran out."""
    answers = iter(texts)

    def recognize(image: object) -> str:
        answer = next(answers)
        if answer is None:
            raise ocr.OutOfTime
        return answer

    monkeypatch.setattr(ocr, "engine", lambda: ("tesseract", "deu"))
    monkeypatch.setattr(ocr, "recognize", recognize)


def _scan(tmp_path: Path, pages: int) -> Path:
    return _write(tmp_path, "scan.pdf", image_pdf([text_image([""])] * pages))


def test_ocr_time_limit_keeps_the_pages_read_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_ocr(monkeypatch, ["Erste Seite erkannt und gelesen", None])
    result = extract(_scan(tmp_path, 3), PDF, time_limit=60)
    assert result.pages == ["Erste Seite erkannt und gelesen", "", ""]
    assert result.ocr_pages == (1,)
    assert result.message() == (
        "Text per Texterkennung (OCR) auf Seite 1; er kann Fehler enthalten. Texterkennung "
        "(OCR) nach 1 von 3 Bildseiten beendet: Zeitlimit von 60 Sekunden pro Datei erreicht."
    )


def test_ocr_time_limit_with_no_page_read_names_the_limit(tmp_path: Path) -> None:
    if not ocr.available():
        pytest.skip("OCR test: install Debian tesseract-ocr, tesseract-ocr-deu")
    # A limit of 0 seconds is spent before the first page, whatever the machine's speed.
    with pytest.raises(NoTextFound) as info:
        extract(_scan(tmp_path, 2), PDF, time_limit=0)
    assert "nach 0 von 2 Bildseiten beendet: Zeitlimit von 0 Sekunden" in info.value.message_de


def test_ocr_pages_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_OCR_PAGES", 2)
    _fake_ocr(monkeypatch, ["Seite eins per OCR gelesen", "Seite zwei per OCR gelesen"])
    result = extract(_scan(tmp_path, 3), PDF)
    assert result.ocr_pages == (1, 2)
    assert "Texterkennung (OCR) nur für die ersten 2 von 3 Bildseiten (Grenze: 2 Seiten" in (
        result.message()
    )


def test_pdf_renders_huge_pages_within_the_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(ocr, "recognize", lambda image: seen.append(image.width * image.height))
    document = pdf_module.pdfium.PdfDocument.new()
    try:
        document.new_page(14_400, 14_400).close()  # 5 m square, PDF's largest page
        monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 4_000_000)
        pdf_module._ocr_page(document, 0)
    finally:
        document.close()
    assert 3_900_000 < seen[0] <= 4_000_000


def test_a_central_directory_that_understates_sizes_cannot_unpack_more(tmp_path: Path) -> None:
    """The zip guard trusts declared sizes because zipfile never inflates beyond them.

    Here a 20 MB member is declared as 5,000 bytes: the guard lets it pass, and the
    parser gets at most those 5,000 bytes, then a checksum error, so "beschädigt".
    """
    data = bytearray(docx_bomb(20))
    name = b"word/document.xml"
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # its central directory entry
    assert data[entry + 46 : entry + 46 + len(name)] == name
    data[entry + 24 : entry + 28] = (5000).to_bytes(4, "little")  # uncompressed size
    path = _write(tmp_path, "luege.docx", bytes(data))
    totals = containers.zip_totals(path)
    assert totals is not None and totals.unpacked < 1024 * 1024  # a readable ZIP, declared small
    limits.check_zip(path)  # so it passes the guard
    with pytest.raises(CorruptFile):
        extract(path, DOCX)
