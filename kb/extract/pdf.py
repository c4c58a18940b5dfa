"""PDF text via PDFium (pypdfium2), one string per page; OCR for pages that are images.

PDFium is the engine Chrome uses: fast, tolerant of broken files, and it maps
ligature glyphs and most font encodings to Unicode. Every PDFium object is
closed explicitly, because pypdfium2 warns about objects left to the garbage
collector and an unclosed document keeps its file handle open.

A page with (almost) no text layer that draws an image is a scan: it is
rendered at :data:`kb.extract.ocr.DPI` and read by Tesseract when OCR is
installed, within the OCR page limit and time budget. Without OCR the text
pages are kept and a notice says how many pages have none; a file that is
nothing but scans gets the "Texterkennung nicht eingerichtet" error.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from kb.extract import limits, messages, ocr
from kb.extract.containers import PDF
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register
from kb.extract.result import Notice

logger = logging.getLogger(__name__)

# A page with fewer visible characters than this that draws an image is a scan: a page
# number or a stray caption is not its text. A short PDF with no images at all (a label,
# a test sheet) keeps its few characters.
MIN_CHARS = 20
_PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}


@register(PDF)
def extract_pdf(path: Path) -> Extracted:
    """Return the text of each page, up to :data:`kb.extract.limits.MAX_PAGES` pages.

    :raises kb.errors.EncryptedFile: the PDF needs a user password (owner-only
        protection does not stop reading and is ignored, as every viewer does).
    :raises kb.errors.CorruptFile: PDFium cannot load the file.
    :raises kb.errors.NoTextFound: only scans and no OCR (or OCR found nothing).
    """
    document = _open(path)
    try:
        numbers, notices = limits.first(list(range(len(document))), "page")
        pages = [normalize_text(_page_text(document, index, path)) for index in numbers]
        scans = [i for i in numbers if _visible(pages[i]) < MIN_CHARS and _has_image(document, i)]
        if not any(_visible(page) for page in pages):
            scans = numbers  # no text layer at all: a scan even if its images hide in forms
        if not scans:
            return Extracted(pages=pages, unit="page", notices=notices)
        if ocr.engine() is None:
            return _without_ocr(pages, scans, notices)
        ocr_pages, stopped = _recognize(document, scans, pages, path)
    finally:
        document.close()
    if not ocr_pages:
        return Extracted(pages=pages, unit="page", notices=notices + stopped)
    used = messages.ocr_used(ocr_pages, whole=len(ocr_pages) == len(pages))
    return Extracted(pages, "page", tuple(ocr_pages), notices + (used,) + stopped)


def _without_ocr(pages: list[str], scans: list[int], notices: tuple[Notice, ...]) -> Extracted:
    """The text pages alone, and a notice naming how many pages are images only."""
    if sum(_visible(page) for page in pages) < MIN_CHARS:
        raise messages.image_only_pdf()
    blank = sum(1 for i in scans if not _visible(pages[i]))
    extra = (messages.ocr_missing(blank),) if blank else ()
    return Extracted(pages=pages, unit="page", notices=notices + extra)


def _recognize(
    document: pdfium.PdfDocument, scans: list[int], pages: list[str], path: Path
) -> tuple[list[int], tuple[Notice, ...]]:
    """OCR the ``scans`` pages into ``pages`` (where it reads more than the text layer).

    :return: the 1-based numbers of the pages whose text now comes from OCR, and
        notices about the OCR limits that stopped it early.
    """
    wanted, notices = scans, ()
    if len(scans) > limits.MAX_OCR_PAGES:
        wanted = scans[: limits.MAX_OCR_PAGES]
        notices = (messages.ocr_pages_cut(limits.MAX_OCR_PAGES, len(scans)),)
    done: list[int] = []
    for count, index in enumerate(wanted):
        try:
            text = normalize_text(_ocr_page(document, index))
        except ocr.OutOfTime:
            logger.warning("OCR of %s stopped after %d pages (time budget)", path.name, count)
            return done, (messages.ocr_stopped(count, len(scans), ocr.time_limit()),)
        if _visible(text) > _visible(pages[index]):
            pages[index] = text
            done.append(index + 1)
    return done, notices


def _ocr_page(document: pdfium.PdfDocument, index: int) -> str:
    """Render one page (bounded by the pixel limit) and return its OCR text."""
    page = document[index]
    try:
        width, height = page.get_size()
        scale = ocr.DPI / 72
        pixels = width * height * scale * scale
        if pixels > limits.MAX_IMAGE_PIXELS:
            scale *= math.sqrt(limits.MAX_IMAGE_PIXELS / pixels)
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return ocr.recognize(bitmap.to_pil())
        finally:
            bitmap.close()
    finally:
        page.close()


def _visible(text: str) -> int:
    return len("".join(text.split()))


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code in _PASSWORD_ERRORS:
            raise messages.encrypted() from exc
        logger.info("PDFium cannot load %s: %s", path.name, exc)
        raise messages.corrupt() from exc


def _has_image(document: pdfium.PdfDocument, index: int) -> bool:
    """Return True if page ``index`` draws an image (False if PDFium cannot load it)."""
    try:
        page = document[index]
    except pdfium.PdfiumError:
        return False
    try:
        return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    finally:
        page.close()


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
