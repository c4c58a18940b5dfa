"""Crash safety: a worker killed with SIGKILL in the middle of an extraction loses nothing.

A real ``kb worker`` process reads a 619-page PDF from the corpus; it is killed
(with its extraction child) while the job is running. A new worker takes the
job up again, the file becomes searchable and ``kb check`` is clean.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from kb.models import FileVersion, Job
from kb.services.access import ANONYMOUS
from kb.services.check import run_check
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search

KB = Path(sys.executable).parent / "kb"
BIG_PDF = "unstructured_DA-619p.pdf"


def _worker(app) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        KB_DATA_DIR=str(app.config["KB_DATA_DIR"]),
        KB_DATABASE_URL=str(app.config["KB_DATABASE_URL"]),
        KB_JOB_STALE_SECONDS="1",
        KB_PREVIEWS="0",
    )
    return subprocess.Popen(
        [str(KB), "worker"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def _job_state(kb) -> tuple[str, int]:
    with kb.db.reading() as session:
        job = session.scalar(select(Job).where(Job.kind == "extract"))
        return job.state, job.attempts


def test_worker_killed_during_extraction_is_repaired_by_the_next_one(app, kb, corpus_dir):
    data = (corpus_dir / BIG_PDF).read_bytes()
    upload_files(kb, [UploadFile(BIG_PDF, io.BytesIO(data))], ItemMeta(title="Bericht"), ANONYMOUS)
    first = _worker(app)
    try:
        _wait(lambda: _job_state(kb)[0] == "running", 60, "the worker starts the extraction")
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its extraction child
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert _job_state(kb) == ("running", 1)  # as a crash leaves it
    time.sleep(1.1)  # older than KB_JOB_STALE_SECONDS
    second = _worker(app)
    try:
        _wait(lambda: _job_state(kb)[0] == "done", 180, "the new worker finishes the job")
        _wait(lambda: kb.index.applied_id() > 0 and run_check(kb).ok, 60, "the index converges")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert _job_state(kb) == ("done", 2)
    with kb.db.reading() as session:
        fv = session.scalar(select(FileVersion))
        assert fv.status == "done" and fv.page_count > 600
    assert run_search(kb, "Bericht", ANONYMOUS).total == 1


def test_worker_killed_while_indexing_leaves_an_index_that_converges(app, kb):
    """Pages are stored and logged; a worker is killed while it holds the index writer."""
    from sqlalchemy import func

    from kb.models import IndexLog
    from kb.services import jobs

    text = "\f".join(
        f"Seite {n}: Verwendungsnachweis Sachbericht Belegliste " * 40 for n in range(60)
    )
    for n in range(40):
        upload = UploadFile(f"bericht-{n}.txt", io.BytesIO(f"{n} {text}".encode()))
        upload_files(kb, [upload], ItemMeta(title=f"Bericht {n}"), ANONYMOUS)
    while (job_id := jobs.claim_next(kb)) is not None:
        jobs.run_job(kb, job_id)  # pages and log entries, but the index is not applied yet
    with kb.db.reading() as session:
        target = session.scalar(select(func.max(IndexLog.id)))

    def indexing() -> bool:
        with kb.index.writer_lock() as got:
            return not got  # the worker holds the writer lock

    first = _worker(app)
    try:
        _wait(indexing, 60, "the worker starts writing the index")
        time.sleep(0.5)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    second = _worker(app)
    try:
        _wait(lambda: kb.index.applied_id() >= target, 180, "the index catches up with the log")
        _wait(lambda: run_check(kb).ok, 60, "kb check is clean")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert run_search(kb, "Bericht", ANONYMOUS).total == 40
