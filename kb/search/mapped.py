"""Reading compound segment files straight from their memory map, without a copy.

Whoosh (whoosh-reloaded 2.7.5) maps a compound segment file and hands each part to a
``BufferFile``, whose ``__init__`` wraps the part in ``io.BytesIO(memoryview)`` — and
``BytesIO`` copies a buffer that is not ``bytes``. So every searcher (re)open, after every
commit, in every web worker, copied the whole index into the heap: after the nightly
optimise at 100k pages the first search after a commit took 80 ms instead of 17 ms, with a
heap peak of 106 MiB instead of 1.5 (bench/search_ab.py; docs/benchmarks.md, "Search").

:class:`MappedFile` is the same ``BufferFile`` reading through a cursor over the memory
view; :func:`install` makes Whoosh's compound storage use it. The map stays the single copy,
shared by every process through the page cache. Reads (``get``) were never copied.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

logger = logging.getLogger(__name__)


class MemoryCursor:
    """The read side of a file object over a memory view (what ``StructFile`` calls)."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else self._pos + size
        end = self._pos
        while end < min(limit, len(self._view)):
            end += 1
            if self._view[end - 1] == 0x0A:
                break
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line


class MappedFile(BufferFile):  # type: ignore[misc]
    """Whoosh's ``BufferFile`` without the copy: reads go through a :class:`MemoryCursor`."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)  # BytesIO(b"") copies nothing
        self._buf = buf
        self.file = MemoryCursor(memoryview(buf))


def install() -> None:
    """Make Whoosh's compound storage open its parts as :class:`MappedFile` (idempotent)."""
    if compound.BufferFile is not MappedFile:
        compound.BufferFile = MappedFile
        logger.debug("Compound segment parts are read from their memory map without a copy")
