"""Word (DOCX) text via python-docx, in body order, split at page breaks.

python-docx opens and validates the package; the body XML is then walked
directly, because the high-level API lists paragraphs and tables separately
and loses both their order and the page-break hints inside runs. Pages are
cut at explicit breaks (``w:br w:type="page"``, page-break-before, section
breaks) and at ``w:lastRenderedPageBreak``; a document without any becomes
sections of about 3000 characters. Headers, footers, footnotes and comments
are left out: they repeat or distract in search.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import containers, messages
from kb.extract.chunks import Block, Break, paginate
from kb.extract.containers import DOCX
from kb.extract.registry import Extracted, register

if TYPE_CHECKING:
    from lxml import etree

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_INLINE_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# Subtrees whose text is not body text (properties, deleted or field-code text,
# and the duplicate fallback rendering of text boxes).
_SKIP = {_W + "pPr", _W + "rPr", _W + "delText", _W + "instrText", _MC_FALLBACK}
_SKIP |= {_W + "footnoteReference", _W + "endnoteReference", _W + "commentReference"}


@register(DOCX)
def extract_docx(path: Path) -> Extracted:
    """Return pages (at page breaks) or sections of the document body.

    :raises kb.errors.EncryptedFile: the file is a password-protected package.
    :raises kb.errors.CorruptFile: it is no readable DOCX.
    """
    if containers.is_ole(path):
        raise messages.encrypted() if containers.is_encrypted_ooxml(path) else messages.corrupt()
    from docx import Document  # lazily, see kb.extract.registry

    body = Document(str(path)).element.body
    blocks: list[Block] = []
    _container_blocks(body, blocks)
    pages, unit = paginate(blocks)
    return Extracted(pages=pages, unit=unit)


def _container_blocks(element: etree._Element, out: list[Block]) -> None:
    """Append the blocks of a body-like element (body, content control, cell)."""
    for child in element:
        if child.tag == _W + "p":
            _paragraph_blocks(child, out)
        elif child.tag == _W + "tbl":
            out.extend(_table_rows(child))
        elif child.tag not in (_W + "sectPr", _W + "tblPr"):
            _container_blocks(child, out)


def _paragraph_blocks(paragraph: etree._Element, out: list[Block]) -> None:
    props = paragraph.find(_W + "pPr")
    if props is not None and _is_on(props.find(_W + "pageBreakBefore")):
        out.append(Break.EXPLICIT)
    pieces: list[Block] = []
    _inline(paragraph, pieces)
    text: list[str] = []
    for piece in pieces:
        if isinstance(piece, Break):
            out.append("".join(text))
            out.append(piece)
            text = []
        else:
            text.append(piece)
    out.append("".join(text))
    if props is not None and _ends_page_section(props.find(_W + "sectPr")):
        out.append(Break.EXPLICIT)


def _inline(element: etree._Element, out: list[Block]) -> None:
    """Append the text and breaks inside a paragraph, in document order."""
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            continue
        if tag in _INLINE_TEXT:
            out.append(_INLINE_TEXT[tag] or child.text or "")
        elif tag == _W + "br":
            out.append(Break.EXPLICIT if child.get(_W + "type") == "page" else "\n")
        elif tag == _W + "lastRenderedPageBreak":
            out.append(Break.RENDERED)
        elif tag == _W + "p":  # paragraphs inside text boxes
            _inline(child, out)
            out.append("\n")
        else:
            _inline(child, out)


def _table_rows(table: etree._Element) -> list[str]:
    """Return one line per row, cells joined by " | "; breaks inside tables are ignored."""
    rows = []
    for row in table.iter(_W + "tr"):
        if next(row.iterancestors(_W + "tbl")) is not table:
            continue  # rows of nested tables are read as part of their cell
        cells = []
        for cell in row.iterchildren(_W + "tc"):
            blocks: list[Block] = []
            _container_blocks(cell, blocks)
            text = " ".join(b.strip() for b in blocks if isinstance(b, str) and b.strip())
            if text:
                cells.append(text)
        rows.append(" | ".join(cells))
    return rows


def _is_on(flag: etree._Element | None) -> bool:
    return flag is not None and flag.get(_W + "val", "true") not in ("false", "0", "off")


def _ends_page_section(sect: etree._Element | None) -> bool:
    if sect is None:
        return False
    kind = sect.find(_W + "type")
    return kind is None or kind.get(_W + "val") not in ("continuous", "nextColumn")
