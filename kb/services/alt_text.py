"""Alternative text for uploaded images (BITV 2.0 / WCAG 1.1.1).

A PNG or JPEG uploaded through the web form or the API must say what it shows: the
text is stored on its file version (``file_versions.alt_text``) and is the ``alt`` of
every ``<img>`` of that image. An image without one is refused *before* its bytes are
stored, so a refusal leaves no orphan blob; its sibling files are stored as usual.
Whether a file is an image is read from its first bytes (the same signatures libmagic
uses for PNG and JPEG), never from its name. Console imports (``kb import``, the demo
loader, bulk import) may leave the text empty; pages then fall back to the item title.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from sqlalchemy.orm import Session

from kb.errors import ValidationError
from kb.extract.containers import JPEG, PNG
from kb.models import FileVersion, Item

logger = logging.getLogger(__name__)

IMAGE_MIMES = frozenset({PNG, JPEG})
#: Enough for a sentence or two; longer descriptions belong in the item's summary.
MAX_ALT = 500
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def clean_alt(text: str | None) -> str:
    """One line, trimmed, at most :data:`MAX_ALT` characters.

    >>> clean_alt("  Vier Gruppentische\\n mit Stühlen ")
    'Vier Gruppentische mit Stühlen'
    """
    return " ".join((text or "").split())[:MAX_ALT]


def looks_like_image(stream: BinaryIO) -> bool:
    """True if the stream starts like a PNG or JPEG; it is rewound afterwards.

    Streams that cannot seek (none of ours: Werkzeug spools uploads, files can seek)
    are not peeked at; their alt text is then not required.
    """
    try:
        if not stream.seekable():
            return False
        start = stream.tell()
        head = stream.read(8)
        stream.seek(start)
    except (OSError, ValueError):
        return False
    return any(head.startswith(sig) for sig in _SIGNATURES)


def missing_alt(filename: str) -> ValidationError:
    """The refusal for an image without alternative text, naming the file."""
    return ValidationError(
        f"Für das Bild „{filename}“ fehlt der Alternativtext. Bitte beschreiben Sie kurz, "
        "was das Bild zeigt, damit es auch Menschen verstehen, die es nicht sehen können.",
        f"The image '{filename}' has no alternative text. Please describe briefly what it "
        "shows, so that people who cannot see it understand it too.",
    )


def is_image(fv: FileVersion) -> bool:
    return fv.mime in IMAGE_MIMES


def alt_for(fv: FileVersion, item: Item) -> str:
    """The ``alt`` of an ``<img>`` showing this file: its own text, else the item title."""
    return fv.alt_text or item.title


def set_alt_texts(session: Session, item: Item, texts: dict[int, str]) -> bool:
    """Change the alt text of the item's image files (file version id -> text).

    Ids of other items' files or of files that are not images are ignored.
    :return: whether anything changed.
    :raises ValidationError: an image's text is empty (naming the file).
    """
    changed = False
    for fv in item.files:
        if fv.id not in texts or not is_image(fv):
            continue
        text = clean_alt(texts[fv.id])
        if not text:
            raise missing_alt(fv.filename)
        if text != fv.alt_text:
            fv.alt_text = text
            changed = True
    if changed:
        logger.info("Alt text changed on item %s", item.id)
    return changed
