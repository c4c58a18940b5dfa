"""kb.extract against real-world documents (the shared corpus, see its MANIFEST.tsv).

Every file in the manifest has an expectation (tests/corpus_expectations.py), chosen by
reading it once: a distinctive word its text must contain, or the error a user must see. Extraction
runs through the pipeline's own path: the type sniffed from the bytes, then the
resource-limited child process. Scans are read by OCR where Tesseract is installed; without
OCR they must say why they have no text, which is tested with OCR switched off too.
"""

from __future__ import annotations

import csv
import re

import pytest
from corpus_expectations import (
    CORPUS,
    CORPUS_AVAILABLE,
    ERRORS,
    IMAGE_ONLY,
    MIME_BY_FORMAT,
    OCR_TEXT,
    PAGE_COUNTS,
    SKIP_REASON,
    SNIFFED,
    TEXT,
)

from kb.errors import NoTextFound
from kb.extract import extract, extract_in_child, sniff_mime

pytestmark = pytest.mark.corpus

if not CORPUS_AVAILABLE:
    pytest.skip(SKIP_REASON, allow_module_level=True)

_LIGATURES = re.compile("[\ufb00-\ufb06]")


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = {row["file"]: row for row in _manifest()}


def test_every_file_has_an_expectation() -> None:
    missing = sorted(set(ROWS) - set(TEXT) - set(ERRORS))
    assert not missing, f"add an expectation for {missing}"
    assert not set(TEXT) & set(ERRORS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_sniff(name: str) -> None:
    expected = SNIFFED.get(name, MIME_BY_FORMAT[ROWS[name]["format"]])
    assert sniff_mime(CORPUS / name, name) == expected


@pytest.mark.parametrize("name", sorted(TEXT))
def test_text(name: str) -> None:
    path = CORPUS / name
    result = extract_in_child(path, sniff_mime(path, name))
    text = "\n".join(result.pages)
    assert TEXT[name] in text
    assert not _LIGATURES.search(text)
    assert "\ufffe" not in text and "\u00ad" not in text and "\r" not in text
    if name in PAGE_COUNTS:
        assert (len(result.pages), result.unit) == PAGE_COUNTS[name]
    if name in OCR_TEXT:
        assert result.ocr and result.ocr_pages == (1,)
        assert result.message().startswith("Text per Texterkennung (OCR) gelesen")
    else:
        assert not result.ocr or name == "ocrmypdf_multipage.pdf"


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error(name: str) -> None:
    path = CORPUS / name
    mime = sniff_mime(path, name)
    if name == "tika_testODTnotaZipFile.odt":
        mime = MIME_BY_FORMAT["odt"]
    expected = ERRORS[name]
    with pytest.raises(expected) as info:
        extract_in_child(path, mime)
    assert type(info.value) is expected
    if name in IMAGE_ONLY:
        assert "Texterkennung (OCR)" in info.value.message_de


@pytest.mark.parametrize("name", sorted(IMAGE_ONLY))
def test_scan_without_ocr_says_why(name: str) -> None:
    path = CORPUS / name
    with pytest.raises(NoTextFound) as info:
        extract_in_child(path, sniff_mime(path, name), use_ocr=False)
    assert "Texterkennung (OCR) ist nicht eingerichtet" in info.value.message_de


def test_mixed_pdf_has_ocr_only_on_its_image_pages() -> None:
    path = CORPUS / "ocrmypdf_multipage.pdf"
    without = extract(path, sniff_mime(path, path.name), use_ocr=False)
    image_pages = [n for n, text in enumerate(without.pages, start=1) if not text.strip()]
    assert image_pages, "the file has image-only pages"
    assert "enthalten nur Bilder" in without.message()
    assert not without.ocr
    """The pipeline trusts bytes: a text file named .odt is indexed as the text it is."""
    path = CORPUS / "tika_testODTnotaZipFile.odt"
    assert extract_in_child(path, sniff_mime(path, path.name)).pages == ["This is not a zip file!"]
