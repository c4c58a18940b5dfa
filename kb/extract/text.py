"""Plain text and Markdown, in whatever encoding the office PC saved them.

UTF-8 is tried first (it rarely decodes by accident). Otherwise
charset-normalizer guesses; its guess among the Latin single-byte code pages
is unreliable on short texts (it likes cp1250), so whenever it lands on one of
those and the bytes are valid Windows-1252 we use Windows-1252, the encoding
German Windows actually writes. For German the two agree on every umlaut and
ß anyway; for French, Spanish or Portuguese only cp1252 is right.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from kb.extract import limits, messages
from kb.extract.chunks import chunk_blocks
from kb.extract.containers import MD, TXT
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register
from kb.extract.result import Notice

logger = logging.getLogger(__name__)

_LATIN_SINGLE_BYTE = {
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "cp1258",
    "latin_1",
    "iso8859_2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_9",
    "iso8859_10",
    "iso8859_13",
    "iso8859_14",
    "iso8859_15",
    "iso8859_16",
    "mac_roman",
    "mac_latin2",
}
_LINE_END = re.compile(r"\r\n|\r|\n")


@register(TXT, MD)
def extract_text(path: Path) -> Extracted:
    """Return pages cut at form feeds, or else chunks of whole lines of ~3000 characters.

    :raises kb.errors.NoTextFound: the file is empty.
    """
    text, notices = read_text(path)
    if "\f" in text:
        pages = [normalize_text(page) for page in text.split("\f")]
        return Extracted(pages=pages, unit="page", notices=notices)
    return Extracted(pages=chunk_blocks(_LINE_END.split(text)), unit="page", notices=notices)


def read_text(path: Path) -> tuple[str, tuple[Notice, ...]]:
    """Return the decoded text of ``path`` up to :data:`~kb.extract.limits.MAX_TEXT_BYTES`.

    :return: the text and a notice if the file was cut at the limit (at a line end).
    :raises kb.errors.NoTextFound: the file is empty.
    """
    limit = limits.MAX_TEXT_BYTES
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    notices: tuple[Notice, ...] = ()
    if len(data) > limit:
        logger.warning("%s is larger than %d bytes; reading only the start", path.name, limit)
        data = data[: data.rfind(b"\n", 0, limit) + 1 or limit]
        notices = (messages.text_cut(limit // (1024 * 1024)),)
    if not data:
        raise messages.empty_file()
    return decode(data), notices


def decode(data: bytes) -> str:
    """Return ``data`` decoded with the most plausible encoding (see module docs)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # lazily, see kb.extract.registry

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _LATIN_SINGLE_BYTE or best is None:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    logger.debug("Decoding text as %s", encoding)
    return data.decode(encoding, errors="replace")
