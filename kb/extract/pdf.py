"""PDF text via PDFium (pypdfium2), one string per page.

PDFium is the engine Chrome uses: fast, tolerant of broken files, and it maps
ligature glyphs and most font encodings to Unicode. Every PDFium object is
closed explicitly, because pypdfium2 warns about objects left to the garbage
collector and an unclosed document keeps its file handle open.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from kb.extract import messages
from kb.extract.containers import PDF
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register

logger = logging.getLogger(__name__)

MAX_PAGES = 2000
# Fewer visible characters than this in a file with images means a scan: page
# numbers or a stray OCR fragment are not worth indexing. A short PDF with no
# images at all (a label, a test sheet) keeps its few characters.
MIN_CHARS = 20
_PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}


@register(PDF)
def extract_pdf(path: Path) -> Extracted:
    """Return the text of each page, up to :data:`MAX_PAGES` pages.

    :raises kb.errors.EncryptedFile: the PDF needs a user password (owner-only
        protection does not stop reading and is ignored, as every viewer does).
    :raises kb.errors.CorruptFile: PDFium cannot load the file.
    :raises kb.errors.NoTextFound: there is no text layer (image-only scan).
    """
    document = _open(path)
    try:
        total = len(document)
        count = min(total, MAX_PAGES)
        if total > count:
            logger.warning("%s has %d pages; reading only the first %d", path.name, total, count)
        pages = [normalize_text(_page_text(document, index, path)) for index in range(count)]
        visible = sum(len("".join(page.split())) for page in pages)
        if visible == 0 or (visible < MIN_CHARS and _has_images(document, count)):
            raise messages.image_only_pdf()
    finally:
        document.close()
    return Extracted(pages=pages, unit="page")


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code in _PASSWORD_ERRORS:
            raise messages.encrypted() from exc
        logger.info("PDFium cannot load %s: %s", path.name, exc)
        raise messages.corrupt() from exc


def _has_images(document: pdfium.PdfDocument, count: int) -> bool:
    """Return True if any of the first ``count`` pages draws an image."""
    for index in range(count):
        try:
            page = document[index]
        except pdfium.PdfiumError:
            continue
        try:
            if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])):
                return True
        finally:
            page.close()
    return False


def _page_text(document: pdfium.PdfDocument, index: int, path: Path) -> str:
    """Return the raw text of one page; a page PDFium cannot parse counts as empty."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        logger.warning("Skipping page %d of %s: %s", index + 1, path.name, exc)
        return ""
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
