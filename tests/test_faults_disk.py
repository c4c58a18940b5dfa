"""The disk of the blob store fills up during an upload.

The real thing: the store lives on a 2 MB tmpfs (mounting needs root; without it the
test is skipped with the reason, and the monkeypatched variant below still runs). The
upload that does not fit gets a clear German message; nothing of it stays behind, no
row and no partial file, and the files of the same upload that fit are kept.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import open_app, post_multipart
from sqlalchemy import func, select

from kb.errors import StorageFull
from kb.models import FileVersion, Item, Job
from kb.services import jobs
from kb.services.check import run_check
from kb.storage import BlobStore

FULL = "Der Speicher ist voll"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the monkeypatched test covers the logic")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip()}); see the monkeypatched test"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def full_app(small_disk: Path, tmp_path: Path, template_db):  # type: ignore[no-untyped-def]
    app = open_app(tmp_path / "data", template_db, KB_BLOB_DIR=str(small_disk / "blobs"))
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


def _rows(kb) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with kb.db.reading() as session:
        return (
            session.scalar(select(func.count(Item.id))) or 0,
            session.scalar(select(func.count(FileVersion.id))) or 0,
            session.scalar(select(func.count(Job.id))) or 0,
        )


def test_a_full_disk_rejects_the_file_that_does_not_fit_and_keeps_the_others(full_app):
    kb, client = full_app.extensions["kb"], full_app.test_client()
    small_a = b"Protokoll A " * 10_000  # 120 kB
    small_b = b"Protokoll B " * 10_000
    big = b"Sachbericht " * 300_000  # 3.6 MB: more than the disk
    files = [(io.BytesIO(small_a), "a.txt"), (io.BytesIO(big), "gross.txt"),
             (io.BytesIO(small_b), "b.txt")]  # fmt: skip
    response = post_multipart(client, "/upload", {"kind": "protokoll", "files": files})
    page = response.get_data(as_text=True)
    assert response.status_code == 201  # two files were stored
    assert FULL in page and "gross.txt" in page
    assert _rows(kb) == (2, 2, 2)  # a.txt and b.txt, each with its extraction job
    with kb.db.reading() as session:
        names = set(session.scalars(select(FileVersion.filename)))
        stored = {fv.sha256 for fv in session.scalars(select(FileVersion))}
    assert names == {"a.txt", "b.txt"}
    assert set(kb.store.iter_hashes()) == stored  # no blob of the big file
    assert list((kb.store.root / "tmp").iterdir()) == []  # and no partial temporary file
    for sha in stored:
        assert kb.store.verify(sha)
    # The stored files go the whole way: extracted, indexed, and kb check is clean.
    jobs.run_until_idle(kb)
    report = run_check(kb)
    assert report.ok, report


def test_a_full_disk_alone_answers_with_the_message_and_stores_nothing(full_app):
    kb, client = full_app.extensions["kb"], full_app.test_client()
    big = b"Sachbericht " * 300_000
    response = post_multipart(
        client, "/upload", {"kind": "protokoll", "files": [(io.BytesIO(big), "gross.txt")]}
    )
    assert response.status_code == 400 and FULL in response.get_data(as_text=True)
    assert _rows(kb) == (0, 0, 0)
    assert list(kb.store.iter_hashes()) == []
    # Once space is free again (here: a smaller file), uploads work as before.
    small = b"Protokoll " * 1000
    response = post_multipart(
        client, "/upload", {"kind": "protokoll", "files": [(io.BytesIO(small), "klein.txt")]}
    )
    assert response.status_code == 201 and _rows(kb)[0] == 1


class _FullAfter:
    """A file object whose writes fail with ENOSPC after ``limit`` bytes."""

    def __init__(self, raw: io.BufferedWriter, limit: int) -> None:
        self.raw, self.limit, self.written = raw, limit, 0

    def __enter__(self) -> _FullAfter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.raw.close()

    def write(self, data: bytes) -> int:
        if self.written + len(data) > self.limit:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def fileno(self) -> int:
        return self.raw.fileno()


def test_enospc_from_the_disk_becomes_storage_full_without_a_partial_file(tmp_path, monkeypatch):
    """The same, wherever a tmpfs cannot be mounted: the write fails with ENOSPC."""
    store = BlobStore(tmp_path / "blobs")
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        "kb.storage.os.fdopen",
        lambda fd, mode: _FullAfter(real_fdopen(fd, mode), 2 * 1024 * 1024),
    )
    with pytest.raises(StorageFull) as caught:
        store.put(io.BytesIO(b"x" * 5 * 1024 * 1024))
    assert caught.value.message("de").startswith(FULL)
    assert caught.value.status == 507
    assert list((store.root / "tmp").iterdir()) == [] and list(store.iter_hashes()) == []
    assert store.put(io.BytesIO(b"x" * 1024)).created  # a file that fits still goes in


def test_other_os_errors_are_not_reported_as_a_full_disk(tmp_path, monkeypatch):
    store = BlobStore(tmp_path / "blobs")

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("kb.storage.os.fdopen", broken)
    with pytest.raises(OSError) as caught:
        store.put(io.BytesIO(b"x"))
    assert not isinstance(caught.value, StorageFull) and caught.value.errno == errno.EIO
