"""PowerPoint (PPTX) text via python-pptx, one string per slide.

A slide's text is its title, then every shape top to bottom and left to right
(groups opened, tables row by row with cells joined by " | "), then the
speaker notes after a line "Notizen:" — notes often hold what the speaker
actually said, which is exactly what people search for later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import containers, limits, messages
from kb.extract.chunks import NOTES_LABEL
from kb.extract.containers import PPTX
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register

if TYPE_CHECKING:
    from pptx.shapes.base import BaseShape
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.slide import Slide

logger = logging.getLogger(__name__)


@register(PPTX)
def extract_pptx(path: Path) -> Extracted:
    """Return the text of each slide, up to :data:`kb.extract.limits.MAX_PAGES` slides.

    :raises kb.errors.EncryptedFile: the file is a password-protected package.
    :raises kb.errors.CorruptFile: it is no readable PPTX.
    """
    if containers.is_ole(path):
        raise messages.encrypted() if containers.is_encrypted_ooxml(path) else messages.corrupt()
    from pptx import Presentation  # lazily, see kb.extract.registry

    slides, notices = limits.first(list(Presentation(str(path)).slides), "slide")
    pages = [normalize_text(slide_text(slide)) for slide in slides]
    return Extracted(pages=pages, unit="slide", notices=notices)


def slide_text(slide: Slide) -> str:
    """Return the raw text of one slide: title, shapes, then notes."""
    title = slide.shapes.title
    parts = [title.text_frame.text] if title is not None and title.has_text_frame else []
    parts.extend(_shape_texts(slide.shapes, skip=title))
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        if frame is not None and frame.text.strip():
            parts.extend([NOTES_LABEL, frame.text])
    return "\n".join(parts)


def _shape_texts(shapes: Iterable[BaseShape], skip: BaseShape | None) -> Iterator[str]:
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.shapes.group import GroupShape

    for shape in _reading_order(shapes):
        if skip is not None and shape.shape_id == skip.shape_id:
            continue
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes, skip=None)
        elif isinstance(shape, GraphicFrame) and shape.has_table:
            yield from _table_rows(shape)
        elif shape.has_text_frame:
            yield shape.text_frame.text


def _table_rows(shape: GraphicFrame) -> Iterator[str]:
    for row in shape.table.rows:
        cells = [cell.text_frame.text for cell in row.cells if not cell.is_spanned]
        yield " | ".join(text for text in cells if text.strip())


def _reading_order(shapes: Iterable[BaseShape]) -> list[BaseShape]:
    """Sort shapes top to bottom, then left to right; unplaced ones keep z-order at the end."""

    def key(item: tuple[int, BaseShape]) -> tuple[int, int, int]:
        index, shape = item
        top, left = shape.top, shape.left
        if top is None or left is None:
            return (1, 0, index)
        return (0, int(top), int(left))

    return [shape for _, shape in sorted(enumerate(shapes), key=key)]
