"""Deciding a file's type from its bytes.

The type an upload claims (its name or its Content-Type header) is never
trusted: libmagic reads the bytes, and the file name is only used to refine a
generic answer, and only after checking that the container really holds the
parts of the named format. A PNG named "bericht.docx" stays image/png.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePath

from kb.extract import containers
from kb.extract.containers import (
    CSV,
    DOC,
    DOCX,
    ENCRYPTED_OOXML,
    JPEG,
    MD,
    ODP,
    ODS,
    ODT,
    PDF,
    PNG,
    PPT,
    PPTX,
    TXT,
    XLS,
    XLSX,
)

logger = logging.getLogger(__name__)

_BY_EXTENSION = {
    ".pdf": PDF,
    ".pptx": PPTX,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
    ".odp": ODP,
    ".ods": ODS,
    ".csv": CSV,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".ppt": PPT,
    ".doc": DOC,
    ".xls": XLS,
    ".txt": TXT,
    ".md": MD,
    ".markdown": MD,
}
# Where the main part of an OOXML package lives.
_OOXML_PREFIX = {PPTX: "ppt/", DOCX: "word/", XLSX: "xl/"}
_ODF = (ODT, ODP, ODS)
# Old binary Office formats, OLE containers like encrypted OOXML; named so the message
# can say "please save as PPTX".
_LEGACY = (PPT, DOC, XLS)
_TEXT = (TXT, MD, CSV)
_GENERIC = {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
_OLE = {
    "application/x-ole-storage",
    "application/cdfv2",
    "application/cdfv2-encrypted",
    "application/encrypted",
}
_EMPTY = {"application/x-empty", "inode/x-empty"}
#: Types whose signature is strong enough that a text file name does not override them.
_KNOWN = {m.lower() for m in _BY_EXTENSION.values()} | _GENERIC | _OLE
#: How much of a file decides whether it reads as text.
_TEXT_SAMPLE = 64 * 1024


def _reads_as_text(path: Path) -> bool:
    """True if the start of the file is text: no NUL, and UTF-8 or mostly printable 8-bit.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = f.write_bytes("PA Sitzung am Montag, Größe".encode())
    >>> _reads_as_text(f)
    True
    >>> _ = f.write_bytes(bytes(range(256)))
    >>> _reads_as_text(f)
    False
    """
    with path.open("rb") as stream:
        sample = stream.read(_TEXT_SAMPLE)
    if not sample or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == _TEXT_SAMPLE:
            return True  # a character cut by the sample's end
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 100


def sniff_mime(path: Path, filename: str) -> str:
    """Return the MIME type of the file at ``path``.

    :param path: the stored bytes.
    :param filename: the name the uploader gave, used only to refine a generic
        result (ZIP, OLE, octet-stream, empty, text/*).
    :return: the MIME type, also for types kb does not support, or
        ``"application/x-encrypted-ooxml"`` for a password-protected
        DOCX/PPTX/XLSX so that extraction can say "verschlüsselt".
    """
    import magic  # lazily, see kb.extract.registry (the child never sniffs)

    try:
        sniffed = magic.from_file(str(path), mime=True)
    except magic.MagicException as exc:
        logger.warning("libmagic could not classify %s: %s", filename, exc)
        sniffed = "application/octet-stream"
    claimed = _BY_EXTENSION.get(PurePath(filename).suffix.lower())
    refined = _refine(path, sniffed, claimed) if claimed else sniffed
    if refined != sniffed:
        logger.debug("Refined %s of %s to %s", sniffed, filename, refined)
    return refined


def _refine(path: Path, sniffed: str, claimed: str) -> str:
    generic = sniffed.lower()
    if generic in _EMPTY:
        return claimed
    if generic.startswith("text/") and claimed in _TEXT:
        return claimed
    if claimed in _TEXT and generic not in _KNOWN and _reads_as_text(path):
        # libmagic guesses from a few leading letters: German text that starts with "PA"
        # or "IN;" is an "HP-GL plot" to it. A text file that decodes as text stays one.
        return claimed
    if generic in _OLE and claimed in _OOXML_PREFIX:
        if generic == "application/encrypted" or containers.is_encrypted_ooxml(path):
            return ENCRYPTED_OOXML
        return sniffed
    if generic in _OLE and claimed in _LEGACY:
        return claimed
    if generic in _GENERIC and _package_matches(path, claimed):
        return claimed
    return sniffed


def _package_matches(path: Path, claimed: str) -> bool:
    """Return True if the ZIP at ``path`` holds the parts of ``claimed``."""
    names = containers.zip_names(path)
    if names is None:
        # Truncated archives keep their leading local headers. Package parts there
        # (even only docProps/ of any OOXML) are good enough to route the file to the
        # named format's extractor, which then says "beschädigt", not "ZIP".
        leading = containers.leading_zip_names(path)
        if claimed in _OOXML_PREFIX:
            parts = ("[Content_Types].xml", "_rels/", "docProps/", _OOXML_PREFIX[claimed])
            return any(name.startswith(parts) for name in leading)
        return claimed in _ODF and leading[:1] == ["mimetype"]
    if claimed in _OOXML_PREFIX:
        prefix = _OOXML_PREFIX[claimed]
        return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)
    if claimed in _ODF:
        declared = containers.read_zip_member(path, "mimetype", limit=200)
        return declared is not None and declared.strip() == claimed.encode()
    return False
