"""The database goes away as seen by ``kb worker``: it logs one line per attempt, backs
off, and carries on when the database is back — without losing the job it had.

SQLite: another connection holds the file's write lock for longer than the busy timeout
(every write the worker tries fails with "database is locked"). PostgreSQL (marker
test): the database refuses connections and its sessions are terminated, as when the
server restarts.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import open_app
from fault_support import run_kb, spawn_kb, wait_for
from sqlalchemy import select
from test_faults_database import postgres_refusing

import kb.extract as extract_module
from kb.models import FileVersion, Job
from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search

TEXT = "Protokoll der Fragerunde zum Verwendungsnachweis"


@pytest.fixture
def impatient_app(tmp_path: Path, template_db):  # type: ignore[no-untyped-def]
    app = open_app(tmp_path / "data", template_db, KB_DB_TIMEOUT_SECONDS=0.5)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


@contextmanager
def sqlite_write_locked(kb) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Hold the database file's write lock: every writer waits, then gives up."""
    lock = sqlite3.connect(kb.db.engine.url.database, isolation_level=None, timeout=30)
    try:
        lock.execute("BEGIN IMMEDIATE")
        yield
        lock.execute("ROLLBACK")
    finally:
        lock.close()


def _outage(kb) -> Callable:  # type: ignore[no-untyped-def,type-arg]
    return postgres_refusing if kb.db.is_postgres else sqlite_write_locked


def _job(kb) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with kb.db.reading() as session:
        job = session.scalar(select(Job).where(Job.kind == "extract"))
        return job.state, job.attempts


def _queue_upload(kb) -> None:  # type: ignore[no-untyped-def]
    """An acknowledged upload whose text is not read yet (on this app's own database)."""
    upload = UploadFile("fragerunde.txt", io.BytesIO(TEXT.encode()))
    upload_files(kb, [upload], ItemMeta(title="Fragerunde"), ANONYMOUS)


def _searchable(kb) -> bool:  # type: ignore[no-untyped-def]
    return run_search(kb, "Verwendungsnachweis", ANONYMOUS).total == 1


def test_a_job_interrupted_by_an_outage_is_finished_when_the_database_is_back(
    impatient_app, monkeypatch, caplog
):
    """The outage hits while the worker extracts; storing the text fails. When the database
    is back, the worker queues the job again itself (not after the 15-minute stale timeout)
    and the interruption does not count as one of the job's attempts."""
    kb = impatient_app.extensions["kb"]
    _queue_upload(kb)
    extracting, go_on = threading.Event(), threading.Event()
    real = extract_module.extract_in_child

    def slow_extract(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not extracting.is_set():
            extracting.set()
            go_on.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(extract_module, "extract_in_child", slow_extract)
    monkeypatch.setattr(jobs, "BACKOFF_FIRST", 0.2)
    worker = jobs.Worker(kb, poll_seconds=0.2)
    worker.start_thread()
    try:
        assert extracting.wait(30), "the worker did not start the job"
        with _outage(kb)(kb):
            go_on.set()  # the text is ready; the database is not
            time.sleep(2.5)
            assert worker._thread is not None and worker._thread.is_alive()
        wait_for(lambda: _job(kb) == ("done", 1), 30, "the job is finished after the outage")
        wait_for(lambda: _searchable(kb), 30, "the file is searchable")
    finally:
        worker.stop()
    outage_lines = [r for r in caplog.records if r.getMessage().startswith("Database unavailable")]
    assert 1 <= len(outage_lines) <= 5  # backing off: 0.2, 0.4, 0.8, 1.6 s
    assert all(r.exc_info is None for r in outage_lines)  # one line, not a traceback
    assert any("1 interrupted job(s) queued again" in r.getMessage() for r in caplog.records)
    with kb.db.reading() as session:
        assert session.scalar(select(FileVersion.status)) == "done"


def _worker_log(tmp_path: Path) -> str:
    path = tmp_path / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _real_worker_waits_out_an_outage(app, tmp_path: Path, outage) -> None:  # type: ignore[no-untyped-def]
    kb = app.extensions["kb"]
    _queue_upload(kb)  # acknowledged, not yet processed
    with outage(kb):
        worker = spawn_kb(app, "worker", log=tmp_path / "worker.log", KB_DB_TIMEOUT_SECONDS="1")
        try:
            wait_for(
                lambda: "Database unavailable" in _worker_log(tmp_path), 30, "the worker notices"
            )
            time.sleep(4)
            assert worker.poll() is None, _worker_log(tmp_path)  # waiting, not exited
        except BaseException:
            os.killpg(worker.pid, signal.SIGKILL)
            raise
    try:
        wait_for(lambda: _job(kb)[0] == "done", 60, f"the job is done: {_worker_log(tmp_path)}")
        wait_for(lambda: _searchable(kb), 30, "the file is searchable")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    log = _worker_log(tmp_path)
    assert "Traceback" not in log, log
    assert 2 <= log.count("Database unavailable") <= 5, log  # 1, 2, 4 s … not every poll
    assert "Database reachable again" in log
    check = run_kb(app, "check")
    assert check.returncode == 0 and "Alles in Ordnung." in check.stdout, check.stdout


def test_kb_worker_waits_for_a_locked_sqlite_database(impatient_app, tmp_path):
    if impatient_app.extensions["kb"].db.is_postgres:
        pytest.skip("SQLite file locking; the PostgreSQL variant is the marker test below")
    _real_worker_waits_out_an_outage(impatient_app, tmp_path, sqlite_write_locked)


@pytest.mark.postgres
def test_kb_worker_waits_for_a_postgres_database_refusing_connections(impatient_app, tmp_path):
    _real_worker_waits_out_an_outage(impatient_app, tmp_path, postgres_refusing)
