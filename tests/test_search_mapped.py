"""kb.search.mapped: the cursor over a memory view behaves as BytesIO does for reading."""

from __future__ import annotations

import io
import os
import pickle

import pytest

from kb.search.mapped import MappedFile, MemoryCursor

DATA = b"erste Zeile\nzweite\n\nohne Ende"


def _ops(f):  # type: ignore[no-untyped-def]
    out = [f.read(3), f.readline(), f.tell(), f.readline(4), f.readline(), f.read()]
    out += [f.read(), f.seek(-4, os.SEEK_END), f.read(10), f.seek(2), f.read(0)]
    out += [f.seek(3, os.SEEK_CUR), f.read(None), f.seek(100), f.read(2), f.tell()]
    f.seek(0)
    return out + [list(f)]


def test_the_cursor_reads_like_bytesio():
    assert _ops(MemoryCursor(memoryview(DATA))) == _ops(io.BytesIO(DATA))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_whoosh_structures_read_back_through_a_mapped_file(protocol):
    payload = {"Förderung": [1, 2, 3], "x": "ä" * 300}
    raw = b"\x00\x00\x00\x07" + pickle.dumps(payload, protocol) + b"tail"
    f = MappedFile(memoryview(raw))
    assert f.read_uint() == 7
    assert f.read_pickle() == payload
    assert f.read() == b"tail"
    assert f.get(0, 4) == raw[:4]
