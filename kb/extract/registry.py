"""The extractor registry: one small function per MIME type.

Each format module registers itself with :func:`register` when imported
(moin's converter registry in miniature), and :func:`extract` is the single
entry point that applies the allow-list, dispatches and turns whatever a
third-party parser throws into a user-safe :class:`~kb.errors.KbError`.
Parsers run on untrusted uploads, so callers should prefer
:func:`kb.extract.extract_in_child`, which bounds time and memory.

Format modules import their parser library inside the extractor function,
not at module level: registration stays explicit and happens at import, but
an extraction child, which reads exactly one format, no longer pays about a
second to import every parser (python-pptx, python-docx, odfdo, openpyxl).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path

from kb.errors import KbError
from kb.extract import limits, messages, ocr
from kb.extract.containers import (
    CSV,
    DOCX,
    ENCRYPTED_OOXML,
    JPEG,
    MD,
    ODP,
    ODS,
    ODT,
    PDF,
    PNG,
    PPTX,
    TXT,
    XLSX,
)
from kb.extract.result import Extracted, Notice

logger = logging.getLogger(__name__)

__all__ = ["SUPPORTED", "Extracted", "Extractor", "Notice", "extract", "register"]

Extractor = Callable[[Path], Extracted]

#: The allow-list: MIME type -> short label shown to users.
SUPPORTED: dict[str, str] = {
    PDF: "PDF",
    PPTX: "PPTX",
    DOCX: "DOCX",
    ODT: "ODT",
    ODP: "ODP",
    ODS: "ODS",
    XLSX: "XLSX",
    TXT: "TXT",
    MD: "MD",
    CSV: "CSV",
    PNG: "PNG",
    JPEG: "JPEG",
}
#: Types stored as ZIP containers, checked against the zip-bomb limits before parsing.
ZIP_BASED = frozenset({PPTX, DOCX, XLSX, ODT, ODP, ODS})

_EXTRACTORS: dict[str, Extractor] = {}


def register(*mimes: str) -> Callable[[Extractor], Extractor]:
    """Register the decorated function as the extractor for ``mimes``."""

    def decorator(func: Extractor) -> Extractor:
        for mime in mimes:
            _EXTRACTORS[mime] = func
        return func

    return decorator


def extract(
    path: Path, mime: str, *, use_ocr: bool = True, time_limit: float | None = None
) -> Extracted:
    """Read the text of ``path`` in this process, treating it as type ``mime``.

    ``mime`` should come from :func:`kb.extract.sniff_mime`, never from the
    client. Any exception from a parser other than a :class:`KbError` is
    logged and reported as :class:`~kb.errors.CorruptFile`, so a malformed
    upload can never surface as a server error. :class:`MemoryError` is let
    through on purpose: in the child process it means "limit reached".

    :param path: the stored file.
    :param mime: its sniffed MIME type.
    :param use_ocr: run text recognition on images and image-only PDF pages
        when Tesseract is installed.
    :param time_limit: the per-file time limit the caller enforces; OCR stops
        with a notice naming it shortly before (None: OCR has no budget of its own).
    :return: the pages of text, with notices about limits and OCR.
    :raises kb.errors.UnsupportedType: ``mime`` is not in :data:`SUPPORTED`.
    :raises kb.errors.EncryptedFile: the file needs a password.
    :raises kb.errors.CorruptFile: the file cannot be parsed.
    :raises kb.errors.NoTextFound: the file is empty or holds no text.
    :raises kb.errors.ExtractionError: a limit was exceeded (the message names it).
    """
    func = _extractor(mime)
    if path.stat().st_size == 0:
        raise messages.empty_file()
    if mime in ZIP_BASED:
        limits.check_zip(path)
    started = time.monotonic()
    try:
        with ocr.settings(enabled=use_ocr, time_limit=time_limit):
            result = func(path)
    except (KbError, MemoryError):
        raise
    except Exception as exc:
        logger.warning("Reading %s as %s failed: %r", path.name, mime, exc)
        logger.debug("Traceback of the failed read of %s", path.name, exc_info=True)
        raise messages.corrupt() from exc
    result = _capped(result)
    if not any(page.strip() for page in result.pages):
        raise messages.no_text(result.notices)
    logger.info(
        "Extracted %d %ss from %s in %.2fs (OCR on %d)",
        len(result.pages),
        result.unit,
        path.name,
        time.monotonic() - started,
        len(result.ocr_pages),
    )
    return result


def _extractor(mime: str) -> Extractor:
    """Return the extractor for ``mime`` or raise the error that says why there is none."""
    if mime == ENCRYPTED_OOXML:
        raise messages.encrypted()
    func = _EXTRACTORS.get(mime) if mime in SUPPORTED else None
    if func is None:
        legacy = messages.legacy_office(mime)
        if legacy is not None:
            raise legacy
        label = messages.type_label(mime, SUPPORTED)
        raise messages.unsupported(label, list(dict.fromkeys(SUPPORTED.values())))
    return func


def _capped(result: Extracted) -> Extracted:
    """Apply :data:`kb.extract.limits.MAX_PAGES` to any extractor that did not stop itself."""
    pages, notices = limits.first(result.pages, result.unit)
    if not notices:
        return result
    return dataclasses.replace(
        result,
        pages=pages,
        ocr_pages=tuple(p for p in result.ocr_pages if p <= len(pages)),
        notices=result.notices + notices,
    )
