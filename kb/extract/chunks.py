"""Turning a stream of text blocks into pages or sections.

Word processors do not store pages, only hints: explicit page breaks and the
breaks the application rendered when it last saved (``w:lastRenderedPageBreak``,
``text:soft-page-break``). Where hints exist we cut pages there so a search hit
can say "Seite 7"; where none exist we cut sections of whole paragraphs of
roughly :data:`SECTION_CHARS` characters, which keeps snippets and index
documents a useful size.
"""

from __future__ import annotations

import enum
import logging

from kb.extract.normalize import normalize_text

logger = logging.getLogger(__name__)

SECTION_CHARS = 3000
#: The line between a slide's own text and its speaker notes.
NOTES_LABEL = "Notizen:"
# A single paragraph longer than this is cut at spaces; below it stays whole.
_LONGEST_BLOCK = 2 * SECTION_CHARS


class Break(enum.Enum):
    """A page break in a block stream."""

    #: Authored by the user (page break, page-break-before, section break).
    EXPLICIT = "explicit"
    #: Where the application last rendered a page boundary.
    RENDERED = "rendered"


Block = str | Break


def paginate(blocks: list[Block]) -> tuple[list[str], str]:
    """Pages at the document's page breaks, or sections of whole paragraphs if it has none.

    :return: the texts and their unit, "page" or "section".
    """
    if has_breaks(blocks):
        return split_pages(blocks), "page"
    return chunk_blocks([block for block in blocks if isinstance(block, str)]), "section"


def has_breaks(blocks: list[Block]) -> bool:
    """Return True if the stream holds any page break."""
    return any(isinstance(block, Break) for block in blocks)


def split_pages(blocks: list[Block]) -> list[str]:
    """Cut ``blocks`` at page breaks and return the normalised page texts.

    A rendered break on a page that is still blank is dropped: Word writes one
    right after an explicit break, and counting both would invent empty pages.
    """
    pages: list[list[str]] = [[]]
    for block in blocks:
        if isinstance(block, Break):
            if block is Break.RENDERED and not "".join(pages[-1]).strip():
                continue
            pages.append([])
        else:
            pages[-1].append(block)
    return [normalize_text("\n".join(page)) for page in pages]


def chunk_blocks(blocks: list[str], size: int = SECTION_CHARS) -> list[str]:
    """Group whole blocks into normalised chunks of roughly ``size`` characters.

    Only a block longer than twice ``size`` is itself cut, at a space, so a
    pathological one-paragraph file still yields several chunks.
    """
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for block in blocks:
        for piece in _cut_long(block, size):
            if current and length + len(piece) > size:
                chunks.append(normalize_text("\n".join(current)))
                current, length = [], 0
            current.append(piece)
            length += len(piece) + 1
    if current:
        chunks.append(normalize_text("\n".join(current)))
    return chunks


def _cut_long(block: str, size: int) -> list[str]:
    if len(block) <= _LONGEST_BLOCK:
        return [block]
    pieces: list[str] = []
    while len(block) > size:
        space = max(block.rfind(" ", 0, size), block.rfind("\n", 0, size))
        cut = space + 1 if space > size // 2 else size
        pieces.append(block[:cut])
        block = block[cut:]
    pieces.append(block)
    return pieces
