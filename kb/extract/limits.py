"""The limits every extraction runs under, and the checks that enforce them early.

The child process (:mod:`kb.extract.sandbox`) bounds CPU time, memory and
wall-clock time, which stops any runaway parser but says little to the user.
The limits here act before that, where the cause is still known: a ZIP
container that would unpack to gigabytes is refused from its central
directory before any parser inflates it, and a document longer than
:data:`MAX_PAGES` is read up to the limit with a notice that names it. Each
limit has a message in :mod:`kb.extract.messages` that states its value.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypeVar

from kb.extract import containers, messages
from kb.extract.result import Notice

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Pages, slides, sections or sheets read from one file; the rest is skipped with a notice.
MAX_PAGES = 2000
#: Non-empty rows read from one spreadsheet sheet.
MAX_SHEET_ROWS = 10_000
#: Bytes read from a plain text or CSV file.
MAX_TEXT_BYTES = 50 * 1024 * 1024
#: What all members of an office ZIP container may declare unpacked, together.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
#: Members of an office ZIP container (a 1000-slide deck has about 3000).
MAX_ZIP_MEMBERS = 20_000
#: Compression ratio one member may have once it is larger than :data:`_RATIO_FLOOR`.
#: Real office XML compresses 5-30x, repetitive sheets up to about 100x; zip bombs 1000x.
MAX_ZIP_RATIO = 200
_RATIO_FLOOR = 4 * 1024 * 1024
#: Pixels of one image (or one rendered PDF page) handed to OCR.
MAX_IMAGE_PIXELS = 50_000_000
#: Image-only pages of one PDF that OCR reads; later ones are left without text.
MAX_OCR_PAGES = 200


def first(
    items: list[T], unit: str, limit: int | None = None
) -> tuple[list[T], tuple[Notice, ...]]:
    """Return at most ``limit`` (default :data:`MAX_PAGES`) items and a notice if any were cut.

    :param unit: "page", "slide" or "section", for the notice's wording.
    """
    limit = MAX_PAGES if limit is None else limit
    if len(items) <= limit:
        return items, ()
    logger.warning("%d %ss; reading only the first %d", len(items), unit, limit)
    return items[:limit], (messages.pages_cut(len(items), limit, unit),)


def check_zip(path: Path) -> None:
    """Refuse a ZIP container whose central directory promises too much.

    Python's :mod:`zipfile`, which python-docx, python-pptx, openpyxl and
    odfdo all read through, never inflates a member beyond the size its
    directory entry declares, so checking the declared sizes bounds what any
    of those parsers can be made to unpack. A file that is no readable ZIP is
    left to its extractor, which reports it as damaged.

    :raises kb.errors.ExtractionError: a limit is exceeded; the message names it.
    """
    totals = containers.zip_totals(path, ratio_floor=_RATIO_FLOOR)
    if totals is None:
        return
    if totals.members > MAX_ZIP_MEMBERS:
        logger.warning("%s has %d ZIP members", path.name, totals.members)
        raise messages.zip_members(MAX_ZIP_MEMBERS)
    if totals.unpacked > MAX_UNZIPPED_BYTES:
        logger.warning("%s declares %d bytes unpacked", path.name, totals.unpacked)
        raise messages.zip_too_large(MAX_UNZIPPED_BYTES // (1024 * 1024))
    if totals.worst_ratio > MAX_ZIP_RATIO:
        logger.warning("%s has a member compressed %.0fx", path.name, totals.worst_ratio)
        raise messages.zip_ratio(MAX_ZIP_RATIO)
