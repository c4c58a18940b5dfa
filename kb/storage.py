"""Content-addressed blob store: files on disk named by their SHA-256.

Disk names are content hashes, never user input, so a file name cannot escape
the store. Writes go to a temporary file in the same folder and are moved into
place with ``os.replace`` only after the hash is known and the data is on
disk, so a crash leaves no half-written blob under a real name. The same bytes
are stored once.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kb.errors import StorageFull, UploadTooLarge

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
#: Temporary files of uploads not written to for this long belong to a killed process.
STALE_TEMP_SECONDS = 3600.0
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    #: False when the same bytes were already stored.
    created: bool


class BlobStore:
    """Blobs under ``root/ab/cd/<sha256>``.

    :param root: folder of the store; created on first use.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Return where the blob lives; refuses anything that is not a hex digest."""
        if not _SHA_RE.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, max_size: int | None = None) -> Blob:
        """Store the bytes of ``stream`` and return their hash and size.

        :param max_size: refuse (and leave nothing behind) beyond this many bytes.
        :raises UploadTooLarge: when ``max_size`` is exceeded.
        :raises StorageFull: when the disk or quota is full (the partial file is removed).
        """
        try:
            return self._put(stream, max_size)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            logger.error("Blob store %s is full: %s", self.root, exc)
            raise StorageFull(
                "Der Speicher ist voll. Die Datei wurde nicht gespeichert. Bitte melden Sie "
                "das der Administration und laden Sie die Datei später noch einmal hoch.",
                "The storage is full. The file was not stored. Please tell the "
                "administrators and upload the file again later.",
            ) from exc

    def _put(self, stream: BinaryIO, max_size: int | None) -> Blob:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        mb = max_size // (1024 * 1024)
                        raise UploadTooLarge(
                            f"Die Datei ist größer als die erlaubten {mb} MB.",
                            f"The file is larger than the allowed {mb} MB.",
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._commit(Path(tmp_name), digest.hexdigest(), size)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def _commit(self, tmp: Path, sha256: str, size: int) -> Blob:
        final = self.path(sha256)
        if final.exists():
            return Blob(sha256, size, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        logger.info("Stored blob %s (%d bytes)", sha256, size)
        return Blob(sha256, size, created=True)

    def remove_stale_temp(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Delete temporary files untouched for ``older_than`` seconds; return how many.

        A process killed while writing a blob (SIGKILL, power loss) cannot run its
        ``finally``; its temporary file never got a real name, so nothing refers to it.
        The age spares uploads still streaming in another process (or on another app
        server sharing the store): their file's mtime moves with every chunk.
        """
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for path in tmp_dir.glob("upload-*"):
            try:
                if path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        if removed:
            logger.warning("Removed %d temporary file(s) of interrupted uploads", removed)
        return removed

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def verify(self, sha256: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        path = self.path(sha256)
        if not path.is_file():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def iter_hashes(self) -> Iterator[str]:
        """Every stored blob's hash (for consistency checks and export)."""
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if _SHA_RE.match(path.name):
                yield path.name
