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

from charset_normalizer import from_bytes

from kb.extract import messages
from kb.extract.chunks import chunk_blocks
from kb.extract.containers import MD, TXT
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
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
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        logger.warning("%s is larger than %d bytes; reading only the start", path.name, MAX_BYTES)
        data = data[: data.rfind(b"\n", 0, MAX_BYTES) + 1 or MAX_BYTES]
    if not data:
        raise messages.empty_file()
    text = decode(data)
    if "\f" in text:
        return Extracted(pages=[normalize_text(page) for page in text.split("\f")], unit="page")
    return Extracted(pages=chunk_blocks(_LINE_END.split(text)), unit="page")


def decode(data: bytes) -> str:
    """Return ``data`` decoded with the most plausible encoding (see module docs)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _LATIN_SINGLE_BYTE or best is None:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    logger.debug("Decoding text as %s", encoding)
    return data.decode(encoding, errors="replace")
