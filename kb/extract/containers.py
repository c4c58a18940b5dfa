"""Cheap checks on file containers (ZIP, OLE/CDFV2) without a full parse.

Office files are ZIP packages (OOXML, ODF) or, when encrypted, OLE compound
files ("CDFV2") holding an ``EncryptedPackage`` stream. These helpers let the
sniffer and the extractors tell "encrypted" from "broken" from "something else
with the wrong name" before handing bytes to a parser. They read at most a few
headers and directory entries, never decompress content, and never raise for
malformed input (they answer False or None instead).
"""

from __future__ import annotations

import logging
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
PNG = "image/png"
JPEG = "image/jpeg"
PPT = "application/vnd.ms-powerpoint"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
TXT = "text/plain"
MD = "text/markdown"
# Pseudo type from sniffing: an OOXML name on an encrypted OLE container.
ENCRYPTED_OOXML = "application/x-encrypted-ooxml"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SCAN_LIMIT = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
# signature, flags, compressed size, name length, extra length
_ZIP_LOCAL_HEADER = struct.Struct("<4s2xH10xI4xHH")


def is_ole(path: Path) -> bool:
    """Return True if ``path`` starts with the OLE compound file signature."""
    with path.open("rb") as fh:
        return fh.read(len(OLE_MAGIC)) == OLE_MAGIC


def is_encrypted_ooxml(path: Path) -> bool:
    """Return True for an OLE file holding an ``EncryptedPackage`` stream.

    That is how Office stores a password-protected DOCX/PPTX/XLSX. The stream
    name sits in a directory sector whose place varies, so the file is scanned
    (bounded by ``_SCAN_LIMIT``) for the UTF-16 name instead of parsing the
    FAT chain; a legacy .doc/.ppt renamed to .docx does not contain it.
    """
    if not is_ole(path):
        return False
    overlap = len(_ENCRYPTED_PACKAGE)
    tail = b""
    with path.open("rb") as fh:
        for _ in range(_SCAN_LIMIT // _CHUNK):
            chunk = fh.read(_CHUNK)
            if not chunk:
                return False
            if _ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def zip_names(path: Path) -> list[str] | None:
    """Return the member names of a readable ZIP file, or None if it is not one."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def read_zip_member(path: Path, name: str, limit: int = 1024 * 1024) -> bytes | None:
    """Return up to ``limit`` bytes of member ``name``, or None if unreadable."""
    try:
        with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return None


def leading_zip_names(path: Path, limit: int = 64) -> list[str]:
    """Return the names in the first local file headers, even of a truncated ZIP.

    A ZIP cut short loses its central directory, so :mod:`zipfile` refuses it,
    but the local headers before the cut still tell an OOXML package
    (``[Content_Types].xml``, ``word/…``) or an ODF one (``mimetype``) apart
    from any other archive. The walk stops at the first entry whose size is
    only given after its data (a data descriptor), at the cut, or at ``limit``.
    """
    names: list[str] = []
    with path.open("rb") as fh:
        for _ in range(limit):
            header = fh.read(_ZIP_LOCAL_HEADER.size)
            if len(header) < _ZIP_LOCAL_HEADER.size:
                break
            signature, flags, packed, name_len, extra_len = _ZIP_LOCAL_HEADER.unpack(header)
            if signature != b"PK\x03\x04":
                break
            name = fh.read(name_len)
            if len(name) < name_len:
                break
            names.append(name.decode("cp437", errors="replace"))
            if flags & 0x08:  # sizes follow the data: the next header cannot be found
                break
            fh.seek(extra_len + packed, 1)
    return names


def odf_is_encrypted(path: Path) -> bool:
    """Return True if the ODF manifest declares encrypted parts."""
    manifest = read_zip_member(path, "META-INF/manifest.xml")
    return manifest is not None and b"encryption-data" in manifest


@dataclass(frozen=True)
class ZipTotals:
    """What a ZIP's central directory declares, before anything is inflated."""

    members: int
    unpacked: int
    #: Highest unpacked/packed ratio among members larger than the floor (1.0 if none).
    worst_ratio: float


def zip_totals(path: Path, ratio_floor: int = 0) -> ZipTotals | None:
    """Return the declared totals of the ZIP at ``path``, or None if it is not one.

    :param ratio_floor: members declaring at most this many bytes are left out of
        ``worst_ratio``; small parts compress extremely well without harm.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    big = [i for i in infos if i.file_size > ratio_floor]
    return ZipTotals(
        members=len(infos),
        unpacked=sum(i.file_size for i in infos),
        worst_ratio=max((i.file_size / max(i.compress_size, 1) for i in big), default=1.0),
    )
