"""CSV files, as exported from Excel or a database, in German or English dialect.

German Excel writes ";" between fields (the comma is the decimal separator),
others write "," or a tab, so the dialect is guessed from a sample with the
standard library's :class:`csv.Sniffer`, limited to those delimiters. Rows
become lines with the fields joined by " | ", like table rows elsewhere, and
the lines are grouped into sections of about 3000 characters. The encoding is
guessed as for plain text. A file the csv module cannot split (a stray quote
spanning megabytes, a field over its size limit) is read as plain lines
instead of failing.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from kb.extract.chunks import chunk_blocks
from kb.extract.containers import CSV
from kb.extract.registry import Extracted, register
from kb.extract.text import read_text

logger = logging.getLogger(__name__)

_DELIMITERS = ";,\t|"
_SAMPLE_CHARS = 64 * 1024


@register(CSV)
def extract_csv(path: Path) -> Extracted:
    """Return sections of rows, fields joined by " | ".

    :raises kb.errors.NoTextFound: the file is empty.
    """
    text, notices = read_text(path)
    text = text.replace("\x00", "")
    try:
        lines = _rows(text)
    except csv.Error as exc:
        logger.info("%s is no clean CSV (%s); reading it as lines", path.name, exc)
        lines = text.splitlines()
    return Extracted(pages=chunk_blocks(lines), unit="section", notices=notices)


def _rows(text: str) -> list[str]:
    dialect = _dialect(text[:_SAMPLE_CHARS])
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return [" | ".join(field.strip() for field in row if field.strip()) for row in reader]


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return _Semicolon if first.count(";") >= first.count(",") else csv.excel


class _Semicolon(csv.excel):
    """German Excel's CSV: like Excel's, with ";" between fields."""

    delimiter = ";"
