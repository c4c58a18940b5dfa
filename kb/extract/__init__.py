"""Text extraction: file type sniffing and per-format extractors.

The stage takes plain paths and returns plain data; it knows nothing of
Flask, the database or the index. :func:`sniff_mime` decides what a file is
from its bytes, :func:`extract_in_child` reads its text page by page in a
resource-limited child process (:func:`extract` does the same in-process),
and :func:`normalize_text` is the clean-up every extractor applies.

Importing this package registers the format modules (pdf, pptx, docx, odf,
sheets, text, delimited, image) with the registry; nothing else happens at
import time. OCR (:mod:`kb.extract.ocr`) is used by pdf and image when
Tesseract is installed.
"""

from __future__ import annotations

from kb.extract import (  # noqa: F401  (they register themselves)
    delimited,
    docx,
    image,
    odf,
    pdf,
    pptx,
    sheets,
    text,
)
from kb.extract.normalize import normalize_text
from kb.extract.registry import SUPPORTED, Extracted, Notice, extract
from kb.extract.sandbox import extract_in_child
from kb.extract.sniff import sniff_mime

__all__ = [
    "SUPPORTED",
    "Extracted",
    "Notice",
    "extract",
    "extract_in_child",
    "normalize_text",
    "sniff_mime",
]
