"""kb.extract against real-world documents (the shared corpus, see its MANIFEST.tsv).

Every file in the manifest has an expectation (tests/corpus_expectations.py), chosen by
reading it once: a distinctive word its text must contain, or the error a user must see. Extraction
runs through the pipeline's own path: the type sniffed from the bytes, then the
resource-limited child process.
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
    PAGE_COUNTS,
    SKIP_REASON,
    SNIFFED,
    TEXT,
)

from kb.errors import UnsupportedType
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


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error(name: str) -> None:
    path = CORPUS / name
    mime = sniff_mime(path, name)
    if name == "tika_testODTnotaZipFile.odt":
        mime = MIME_BY_FORMAT["odt"]
    expected = ERRORS[name]
    if expected is UnsupportedType:
        with pytest.raises(UnsupportedType):
            extract(path, mime)
        return
    with pytest.raises(expected) as info:
        extract_in_child(path, mime)
    assert type(info.value) is expected
    if name in IMAGE_ONLY:
        assert "Texterkennung (OCR)" in info.value.message_de


def test_text_file_misnamed_odt_is_read_as_text() -> None:
    """The pipeline trusts bytes: a text file named .odt is indexed as the text it is."""
    path = CORPUS / "tika_testODTnotaZipFile.odt"
    assert extract_in_child(path, sniff_mime(path, path.name)).pages == ["This is not a zip file!"]
