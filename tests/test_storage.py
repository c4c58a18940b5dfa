from __future__ import annotations

import hashlib
import io

import pytest

from kb.errors import UploadTooLarge
from kb.storage import BlobStore


def test_put_is_content_addressed_and_deduplicated(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    data = b"Verwendungsnachweis 2027" * 1000
    first = store.put(io.BytesIO(data))
    second = store.put(io.BytesIO(data))
    assert first.sha256 == hashlib.sha256(data).hexdigest() == second.sha256
    assert first.created and not second.created
    assert first.size == len(data)
    assert store.path(first.sha256).read_bytes() == data
    assert list(store.iter_hashes()) == [first.sha256]


def test_too_large_leaves_nothing_behind(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(UploadTooLarge) as info:
        store.put(io.BytesIO(b"x" * (3 * 1024 * 1024)), max_size=2 * 1024 * 1024)
    assert "2 MB" in info.value.message_de
    assert list(store.iter_hashes()) == []
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_verify_detects_changed_bytes(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    blob = store.put(io.BytesIO(b"original"))
    assert store.verify(blob.sha256)
    store.path(blob.sha256).write_bytes(b"tampered")
    assert not store.verify(blob.sha256)
    store.delete(blob.sha256)
    assert not store.exists(blob.sha256) and not store.verify(blob.sha256)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "abc", "G" * 64, ""])
def test_path_refuses_anything_but_a_digest(tmp_path, bad):
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path(bad)
