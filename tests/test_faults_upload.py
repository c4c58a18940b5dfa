"""A web process killed while an upload streams in, or while its blob is being written.

Nothing of an unacknowledged upload may remain: no item, no file version, no blob under
a final name. A later upload of the same file works. The blob store writes to a
temporary file and renames it only when complete; a temporary file left by a killed
process is removed by the worker's housekeeping.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

from fault_support import (
    Gunicorn,
    free_port,
    get,
    multipart,
    post_upload,
    spawn_kb,
    upload_form,
    wait_for,
)
from sqlalchemy import func, select

from kb.models import FileVersion, Item, Job
from kb.services import jobs
from kb.services.check import run_check
from kb.services.jobs import Worker

DATA = ("Protokoll der Fragerunde zum Sprachkurs.\n" * 50_000).encode()  # about 2 MB
#: An upload acknowledged before the crash: it must survive it.
EARLIER = "Vorher bestätigtes Protokoll über Ehrenamtslotsen.\n".encode() * 20


def _start_slow_upload(base_url: str, port: int) -> socket.socket:
    """Send the headers, the form and the first quarter of the file, then stall."""
    cookie, token = upload_form(base_url)
    head, tail, content_type = multipart({"csrf_token": token, "kind": "protokoll"}, "f.txt", DATA)
    length = len(head) + len(DATA) + len(tail)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        (
            f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
        ).encode()
        + head
        + DATA[: len(DATA) // 4]
    )
    time.sleep(0.5)  # the server is reading the body
    return sock


def _acknowledge_one(base_url: str) -> None:
    status, page = post_upload(base_url, "vorher.txt", EARLIER)
    assert status == 201, page


def _only_the_acknowledged_upload_is_stored(kb) -> None:  # type: ignore[no-untyped-def]
    """The killed upload left nothing; the one acknowledged before the crash is all there."""
    with kb.db.reading() as session:
        assert session.scalar(select(func.count(Item.id))) == 1
        assert list(session.scalars(select(FileVersion.filename))) == ["vorher.txt"]
        assert session.scalar(select(func.count(Job.id))) <= 1  # its extraction, if not done
    assert len(list(kb.store.iter_hashes())) == 1


def _converges(kb) -> None:  # type: ignore[no-untyped-def]
    """After the restart every acknowledged upload is extracted and indexed; kb check is clean.

    The servers were stopped, perhaps in the middle of a job: as a restarted ``kb serve``
    does at start, whatever is still "running" goes back to the queue first.
    """
    jobs.requeue_stale(kb, dt.timedelta(0))
    jobs.run_until_idle(kb)
    report = run_check(kb)
    assert report.ok, report
    with kb.db.reading() as session:
        assert sorted(session.scalars(select(FileVersion.filename))) == ["f.txt", "vorher.txt"]


def _upload_again_works(kb, base_url: str) -> None:  # type: ignore[no-untyped-def]
    status, page = post_upload(base_url, "f.txt", DATA)
    assert status == 201, page
    with kb.db.reading() as session:
        fv = session.scalar(select(FileVersion).where(FileVersion.filename == "f.txt"))
        assert fv is not None and fv.size == len(DATA)
    code, body = get(f"{base_url}/items/{fv.item_id}/files/{fv.id}")
    assert code == 200 and body == DATA


def test_gunicorn_worker_killed_mid_upload_stores_nothing(app, kb, tmp_path):
    with Gunicorn(app, tmp_path / "gunicorn.log") as server:
        _acknowledge_one(server.base_url)
        (worker,) = server.worker_pids()
        sock = _start_slow_upload(server.base_url, server.port)
        os.kill(worker, signal.SIGKILL)
        with sock:
            sock.settimeout(10)
            assert sock.recv(1024) == b"", "the killed worker answered"  # connection closed
        wait_for(
            lambda: server.worker_pids() not in ([], [worker]) and server.healthy(),
            60,
            "the arbiter starts a new worker",
        )
        _only_the_acknowledged_upload_is_stored(kb)
        _upload_again_works(kb, server.base_url)
    _converges(kb)


def test_kb_serve_killed_mid_upload_stores_nothing(app, kb, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    def serve() -> subprocess.Popen[bytes]:
        process = spawn_kb(app, "serve", "--port", str(port), log=tmp_path / "serve.log")
        wait_for(lambda: _answers(base_url), 60, "kb serve answers")
        return process

    first = serve()
    try:
        _acknowledge_one(base_url)
        sock = _start_slow_upload(base_url, port)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        sock.close()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
    _only_the_acknowledged_upload_is_stored(kb)
    second = serve()
    try:
        _upload_again_works(kb, base_url)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    _converges(kb)


def _answers(base_url: str) -> bool:
    try:
        return get(f"{base_url}/healthz", timeout=2)[0] == 200
    except OSError:
        return False


#: A process that stores a blob and SIGKILLs itself after the first chunk is on disk.
KILLED_WRITER = """
import io, os, signal, sys
from pathlib import Path
from kb.storage import CHUNK, BlobStore

class Dying(io.RawIOBase):
    def __init__(self):
        self.sent = 0
    def readable(self):
        return True
    def read(self, n=-1):
        if self.sent >= 1:
            os.kill(os.getpid(), signal.SIGKILL)  # the second read: the first chunk is written
        self.sent += 1
        return b"x" * CHUNK

BlobStore(Path(sys.argv[1])).put(Dying())
"""


def test_a_process_killed_while_writing_a_blob_leaves_no_blob_under_a_real_name(kb):
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(kb.store.root)], timeout=60, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert list(kb.store.iter_hashes()) == []  # nothing under a final name
    (leftover,) = (kb.store.root / "tmp").glob("upload-*")
    assert leftover.stat().st_size > 0  # the partial bytes, under a temporary name
    assert kb.store.remove_stale_temp(older_than=3600) == 0  # too young: may still be written
    hour_ago = time.time() - 3601
    os.utime(leftover, (hour_ago, hour_ago))
    Worker(kb).purge_if_due()  # the worker's housekeeping at start and once a day
    assert not leftover.exists()


def test_housekeeping_keeps_temporary_files_that_are_still_written(kb):
    tmp = kb.store.root / "tmp"
    tmp.mkdir(parents=True)
    fresh, other = tmp / "upload-fresh", tmp / "not-an-upload"
    fresh.write_bytes(b"streaming")
    other.write_bytes(b"x")
    hour_ago = time.time() - 3601
    os.utime(other, (hour_ago, hour_ago))
    assert kb.store.remove_stale_temp() == 0
    assert fresh.exists() and other.exists()
