"""The extractor registry: one small function per MIME type.

Each format module registers itself with :func:`register` when imported
(moin's converter registry in miniature), and :func:`extract` is the single
entry point that applies the allow-list, dispatches and turns whatever a
third-party parser throws into a user-safe :class:`~kb.errors.KbError`.
Parsers run on untrusted uploads, so callers should prefer
:func:`kb.extract.extract_in_child`, which bounds time and memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError
from kb.extract import messages
from kb.extract.containers import DOCX, ENCRYPTED_OOXML, MD, ODP, ODT, PDF, PPTX, TXT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """The text of one file, page by page.

    :param pages: normalised text of page/slide/section 1..n; "" for an empty one.
    :param unit: what one entry is: "page", "slide" or "section".
    """

    pages: list[str]
    unit: str


Extractor = Callable[[Path], Extracted]

#: The allow-list: MIME type -> short label shown to users.
SUPPORTED: dict[str, str] = {
    PDF: "PDF",
    PPTX: "PPTX",
    DOCX: "DOCX",
    ODT: "ODT",
    ODP: "ODP",
    TXT: "TXT",
    MD: "MD",
}

_EXTRACTORS: dict[str, Extractor] = {}


def register(*mimes: str) -> Callable[[Extractor], Extractor]:
    """Register the decorated function as the extractor for ``mimes``."""

    def decorator(func: Extractor) -> Extractor:
        for mime in mimes:
            _EXTRACTORS[mime] = func
        return func

    return decorator


def extract(path: Path, mime: str) -> Extracted:
    """Read the text of ``path`` in this process, treating it as type ``mime``.

    ``mime`` should come from :func:`kb.extract.sniff_mime`, never from the
    client. Any exception from a parser other than a :class:`KbError` is
    logged and reported as :class:`~kb.errors.CorruptFile`, so a malformed
    upload can never surface as a server error. :class:`MemoryError` is let
    through on purpose: in the child process it means "limit reached".

    :param path: the stored file.
    :param mime: its sniffed MIME type.
    :return: the pages of text.
    :raises kb.errors.UnsupportedType: ``mime`` is not in :data:`SUPPORTED`.
    :raises kb.errors.EncryptedFile: the file needs a password.
    :raises kb.errors.CorruptFile: the file cannot be parsed.
    :raises kb.errors.NoTextFound: the file is empty or holds no text.
    """
    if mime == ENCRYPTED_OOXML:
        raise messages.encrypted()
    func = _EXTRACTORS.get(mime) if mime in SUPPORTED else None
    if func is None:
        raise messages.unsupported(messages.type_label(mime, SUPPORTED))
    if path.stat().st_size == 0:
        raise messages.empty_file()
    started = time.monotonic()
    try:
        result = func(path)
    except (KbError, MemoryError):
        raise
    except Exception as exc:
        logger.warning("Reading %s as %s failed: %r", path.name, mime, exc)
        logger.debug("Traceback of the failed read of %s", path.name, exc_info=True)
        raise messages.corrupt() from exc
    if not any(page.strip() for page in result.pages):
        raise messages.no_text()
    logger.info(
        "Extracted %d %ss from %s in %.2fs",
        len(result.pages),
        result.unit,
        path.name,
        time.monotonic() - started,
    )
    return result
