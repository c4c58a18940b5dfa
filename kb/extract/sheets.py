"""Spreadsheets: XLSX via openpyxl, and the page shape shared with ODS.

One sheet is one page of text: its name on the first line, then one line per
non-empty row with the cells joined by " | " (as tables in slides and
documents are), so a search hit can say which sheet it is on. openpyxl runs
in read-only mode, which streams the sheet XML instead of building every
cell object, with ``data_only`` so formulas contribute the values Excel last
computed. The declared sheet size is ignored (``reset_dimensions``): a file
may claim a million columns, and only cells that exist are read. Rows beyond
:data:`kb.extract.limits.MAX_SHEET_ROWS` per sheet are skipped with a notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import containers, limits, messages
from kb.extract.containers import XLSX
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register
from kb.extract.result import SHEET_UNIT, Notice

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

logger = logging.getLogger(__name__)


@register(XLSX)
def extract_xlsx(path: Path) -> Extracted:
    """Return one page per worksheet (chart sheets have no cells and are left out).

    :raises kb.errors.EncryptedFile: the file is a password-protected package.
    :raises kb.errors.CorruptFile: it is no readable XLSX (via the registry).
    """
    if containers.is_ole(path):
        raise messages.encrypted() if containers.is_encrypted_ooxml(path) else messages.corrupt()
    import openpyxl  # lazily, see kb.extract.registry

    # A file object, not the path: openpyxl refuses paths that do not end in ".xlsx", and
    # the stored blob is named by its hash.
    with path.open("rb") as fh:
        workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
        return _workbook(workbook)


def _workbook(workbook: Workbook) -> Extracted:
    """Read every worksheet (at most :data:`~kb.extract.limits.MAX_PAGES`), then close."""
    try:
        worksheets, notices = limits.first(list(workbook.worksheets), SHEET_UNIT)
        pages: list[str] = []
        for sheet in worksheets:
            sheet.reset_dimensions()
            rows = (_row_cells(row) for row in sheet.iter_rows(values_only=True))
            text, notice = sheet_page(sheet.title, rows)
            pages.append(text)
            notices += notice
    finally:
        workbook.close()
    return Extracted(pages=pages, unit=SHEET_UNIT, notices=notices)


def sheet_page(name: str, rows: Iterable[list[str]]) -> tuple[str, tuple[Notice, ...]]:
    """Return the text of one sheet and a notice if its rows were cut at the limit.

    :param rows: the cell texts of each row; empty rows and cells are skipped.
    """
    lines = [name]
    for cells in rows:
        line = " | ".join(cell for cell in cells if cell.strip())
        if not line:
            continue
        if len(lines) > limits.MAX_SHEET_ROWS:
            logger.warning("Sheet %r has more than %d rows", name, limits.MAX_SHEET_ROWS)
            return normalize_text("\n".join(lines)), (
                messages.rows_cut(name, limits.MAX_SHEET_ROWS),
            )
        lines.append(line)
    if len(lines) == 1:
        return "", ()  # an empty sheet has no text, not even its name
    return normalize_text("\n".join(lines)), ()


def _row_cells(row: tuple[object, ...]) -> list[str]:
    return [_cell_text(value) for value in row if value is not None]


def _cell_text(value: object) -> str:
    """Return a cell value as people would read it: 3 not 3.0, dates without 00:00."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
