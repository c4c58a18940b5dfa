"""OpenDocument text (ODT), presentations (ODP) and spreadsheets (ODS) via odfdo.

ODP yields one string per ``draw:page`` (slide): the title frame first, then
the other frames in document order, then the speaker notes after "Notizen:".
ODT yields pages cut at ``text:soft-page-break`` (where LibreOffice last
rendered a page boundary), or else sections of about 3000 characters like
DOCX. ODS yields one page per sheet, shaped like XLSX (:mod:`kb.extract.sheets`);
repeated rows and cells (``number-rows-repeated``) are read once, never
expanded, so a sheet declaring a million empty rows costs nothing.
Encryption is read from the manifest before odfdo is involved, because an
encrypted ``content.xml`` is just bytes that fail to parse.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import containers, limits, messages
from kb.extract.chunks import NOTES_LABEL, Block, Break, paginate
from kb.extract.containers import ODP, ODS, ODT
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register
from kb.extract.result import SHEET_UNIT
from kb.extract.sheets import sheet_page

if TYPE_CHECKING:
    from odfdo import Element

logger = logging.getLogger(__name__)

_PARAGRAPHS = {"text:p", "text:h"}
# Not body text: declarations, forms, annotations, footnotes, change tracking.
_SKIP = {
    "text:sequence-decls",
    "text:tracked-changes",
    "office:forms",
    "office:annotation",
    "text:note",
    "draw:page-thumbnail",
    "svg:title",
    "svg:desc",
}


@register(ODT, ODP, ODS)
def extract_odf(path: Path) -> Extracted:
    """Return the slides of an ODP, the pages/sections of an ODT or the sheets of an ODS.

    :raises kb.errors.EncryptedFile: the package is password-protected.
    :raises kb.errors.CorruptFile: it is no readable ODF text or presentation.
    """
    if containers.zip_names(path) is None:
        raise messages.corrupt()
    if containers.odf_is_encrypted(path):
        raise messages.encrypted()
    content = containers.read_zip_member(path, "content.xml", limit=64)
    if content is not None and not content.lstrip().startswith(b"<"):
        raise messages.encrypted()  # binary content.xml: encrypted without a manifest note
    from odfdo import Document  # lazily, see kb.extract.registry

    body = Document(path).body
    if body.tag == "office:presentation":
        return _presentation(body, path)
    if body.tag == "office:text":
        return _text_document(body)
    if body.tag == "office:spreadsheet":
        return _spreadsheet(body)
    logger.info("%s is ODF but neither text nor presentation: %s", path.name, body.tag)
    raise messages.corrupt()


def _presentation(body: Element, path: Path) -> Extracted:
    slides = [child for child in body.children if child.tag == "draw:page"]
    slides, notices = limits.first(slides, "slide")
    pages = [normalize_text(_slide_text(slide)) for slide in slides]
    return Extracted(pages=pages, unit="slide", notices=notices)


def _slide_text(slide: Element) -> str:
    titles: list[str] = []
    others: list[str] = []
    notes: list[str] = []
    for child in slide.children:
        blocks: list[Block] = []
        _blocks(child, blocks)
        texts = [b for b in blocks if isinstance(b, str)]
        if child.tag == "presentation:notes":
            notes.extend(texts)
        elif child.get_attribute("presentation:class") == "title":
            titles.extend(texts)
        else:
            others.extend(texts)
    if "".join(notes).strip():
        notes.insert(0, NOTES_LABEL)
    return "\n".join(titles + others + notes)


def _spreadsheet(body: Element) -> Extracted:
    tables = [child for child in body.children if child.tag == "table:table"]
    tables, notices = limits.first(tables, SHEET_UNIT)
    pages: list[str] = []
    for table in tables:
        name = table.get_attribute_string("table:name") or ""
        text, notice = sheet_page(name, ([row] for row in _table_rows(table)))
        pages.append(text)
        notices += notice
    return Extracted(pages=pages, unit=SHEET_UNIT, notices=notices)


def _text_document(body: Element) -> Extracted:
    blocks: list[Block] = []
    _blocks(body, blocks)
    pages, unit = paginate(blocks)
    return Extracted(pages=pages, unit=unit)


def _blocks(element: Element, out: list[Block]) -> None:
    """Append the paragraphs, table rows and page breaks under ``element``."""
    for child in element.children:
        tag = child.tag
        if tag in _PARAGRAPHS:
            _paragraph_blocks(child, out)
        elif tag == "text:soft-page-break":
            out.append(Break.RENDERED)
        elif tag == "table:table":
            out.extend(_table_rows(child))
        elif tag not in _SKIP:
            _blocks(child, out)


def _paragraph_blocks(paragraph: Element, out: list[Block]) -> None:
    pieces: list[Block] = []
    _inline(paragraph, pieces)
    text: list[str] = []
    for piece in pieces:
        if isinstance(piece, Break):
            out.extend(["".join(text), piece])
            text = []
        else:
            text.append(piece)
    out.append("".join(text))


def _inline(element: Element, out: list[Block]) -> None:
    """Append the text of a paragraph, expanding ODF's space/tab/line-break elements."""
    out.append(element.text)
    for child in element.children:
        tag = child.tag
        if tag == "text:s":
            out.append(" " * (child.get_attribute_integer("text:c") or 1))
        elif tag == "text:tab":
            out.append("\t")
        elif tag == "text:line-break":
            out.append("\n")
        elif tag == "text:soft-page-break":
            out.append(Break.RENDERED)
        elif tag in _PARAGRAPHS:  # paragraphs inside frames anchored in this one
            out.append("\n")
            _inline(child, out)
            out.append("\n")
        elif tag not in _SKIP:
            _inline(child, out)
        out.append(child.tail or "")


def _table_rows(table: Element) -> list[str]:
    """Return one line per table row, cells joined by " | "."""
    rows: list[str] = []
    for child in table.children:
        if child.tag == "table:table-row":
            cells = []
            for cell in child.children:
                blocks: list[Block] = []
                _blocks(cell, blocks)
                text = " ".join(b.strip() for b in blocks if isinstance(b, str) and b.strip())
                if text:
                    cells.append(text)
            rows.append(" | ".join(cells))
        elif child.tag not in _SKIP:
            rows.extend(_table_rows(child))  # header rows, row groups
    return rows
