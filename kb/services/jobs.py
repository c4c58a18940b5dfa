"""The job queue (transactional outbox) and the worker that drains it.

A job row is written in the same transaction as the change that needs it.
Workers claim jobs one at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite serialises writers with ``BEGIN IMMEDIATE``), run the slow part outside
any transaction — extraction happens in a child process with CPU and memory
limits — and commit the result together with an index-log entry. After each
job the worker applies the index log, so an upload becomes searchable within
seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kb import extract
from kb.errors import ExtractionError, KbError
from kb.logs import log_context
from kb.models import TEXT_PRIORITY, FileVersion, Job, Page, utcnow
from kb.services.context import Kb
from kb.services.indexing import (
    append_index_log,
    apply_index_log,
    ensure_index,
    optimize_if_due,
)
from kb.services.replicas import prune_index_log
from kb.services.wakeup import JobWaiter

logger = logging.getLogger(__name__)

#: A running job older than this is taken to belong to a dead worker.
STALE_AFTER = dt.timedelta(minutes=15)
#: A job whose worker died this often is given up, with the reason.
MAX_ATTEMPTS = 2


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim_next(kb: Kb) -> int | None:
    """Take the next queued job (lowest priority number first); return its id."""
    with kb.db.writing() as session:
        query = (
            select(Job)
            .where(Job.state == "queued")
            .order_by(Job.priority, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job = session.scalars(query).first()
        if job is None:
            return None
        job.state, job.started_at, job.locked_by = "running", utcnow(), worker_id()
        job.attempts += 1
        return job.id


def requeue_stale(kb: Kb, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Give jobs of crashed workers back to the queue, or fail them after repeated crashes.

    ``kb serve`` runs the only worker, so it passes ``older_than=0`` at start:
    whatever is still "running" then was interrupted.
    """
    cutoff = utcnow() - older_than
    with kb.db.writing() as session:
        # Skip rows another worker is requeueing or finishing right now (PostgreSQL).
        query = select(Job).where(Job.state == "running", Job.started_at < cutoff)
        stale = session.scalars(query.with_for_update(skip_locked=True)).all()
        for job in stale:
            if job.attempts >= MAX_ATTEMPTS:
                _fail(
                    session,
                    job,
                    "Die Verarbeitung ist wiederholt abgebrochen.",
                    "Processing was aborted repeatedly.",
                )
            else:
                job.state = "queued"
        return len(stale)


def _fail(session, job: Job, message_de: str, message_en: str) -> None:  # type: ignore[no-untyped-def]
    job.state, job.error, job.finished_at = "failed", message_de, utcnow()
    # Only reading the text decides the file's status: a preview that keeps crashing
    # leaves a searchable file searchable.
    reads_text = job.kind == "extract" and job.file_version_id
    fv = session.get(FileVersion, job.file_version_id) if reads_text else None
    if fv is not None:
        fv.status, fv.status_message_de, fv.status_message_en = "failed", message_de, message_en
        append_index_log(session, fv.item_id)


def run_job(kb: Kb, job_id: int) -> None:
    """Run one job: extract the text of its file version (or render its page images).

    Log lines written meanwhile carry ``job_id`` and ``job_kind`` (see kb/logs.py).
    """
    with log_context(job_id=job_id):
        _run_job(kb, job_id)


def _run_job(kb: Kb, job_id: int) -> None:
    with kb.db.reading() as session:
        job = session.get(Job, job_id)
        kind = job.kind if job else ""
    if kind == "handout":  # a long Mappe PDF (kb/services/mappe_jobs.py): no file
        with log_context(job_kind=kind):
            _run_handout(kb, job_id)
        return
    with kb.db.reading() as session:
        job = session.get(Job, job_id)
        fv = session.get(FileVersion, job.file_version_id) if job else None
        if job is None or fv is None:
            return
        path, mime, kind = kb.store.path(fv.sha256), fv.mime, job.kind
    with log_context(job_kind=kind):
        _run(kb, job_id, kind, Path(path), mime)


def _run_handout(kb: Kb, job_id: int) -> None:
    from kb.services.mappe_jobs import run_handout_job

    try:
        run_handout_job(kb, job_id)
    except Exception:  # the person waiting gets a message, not an endless progress bar
        logger.exception("Handout job %d failed", job_id)
        with kb.db.writing() as session:
            _fail(
                session,
                session.get(Job, job_id),
                "Die Mappe konnte nicht als PDF erstellt werden. Bitte versuchen Sie es erneut.",
                "The Mappe could not be made into a PDF. Please try again.",
            )


def _run(kb: Kb, job_id: int, kind: str, path: Path, mime: str) -> None:
    if kind == "preview":
        from kb.services.previews import run_preview_job

        run_preview_job(kb, job_id)
        return
    try:
        result = extract.extract_in_child(
            path,
            mime,
            cpu_seconds=int(kb.config["KB_EXTRACT_CPU_SECONDS"]),
            memory_mb=int(kb.config["KB_EXTRACT_MEMORY_MB"]),
        )
    except KbError as exc:
        _store_failure(kb, job_id, exc)
        return
    _store_pages(kb, job_id, result)


def _store_pages(kb: Kb, job_id: int, result: extract.Extracted) -> None:
    with kb.db.writing() as session:
        job = session.get(Job, job_id)
        fv = session.get(FileVersion, job.file_version_id)
        session.execute(delete(Page).where(Page.file_version_id == fv.id))
        for number, text in enumerate(result.pages, start=1):
            session.add(Page(file_version_id=fv.id, number=number, text=text))
        fv.status, fv.page_count, fv.page_unit = "done", len(result.pages), result.unit
        # Notices: text read by OCR (may contain errors), or a limit that cut the text short.
        fv.status_message_de, fv.status_message_en = result.message("de"), result.message("en")
        append_index_log(session, fv.item_id)
        job.state, job.finished_at, job.error = "done", utcnow(), ""
    logger.info("Extracted %d %ss from file version %s", len(result.pages), result.unit, fv.id)


def _store_failure(kb: Kb, job_id: int, exc: KbError) -> None:
    level = logging.INFO if isinstance(exc, ExtractionError) else logging.WARNING
    logger.log(level, "No text from job %s: %s", job_id, exc.message_en)
    with kb.db.writing() as session:
        job = session.get(Job, job_id)
        _fail(session, job, exc.message_de, exc.message_en)


#: While jobs keep coming, the index is written at most this often (a bulk import would
#: otherwise spend most of its time committing the index after every file).
INDEX_BATCH_SECONDS = 2.0


def run_until_idle(kb: Kb, max_jobs: int | None = None, stop: threading.Event | None = None) -> int:
    """Run queued jobs until none is left (or ``max_jobs``), applying the index log as it goes.

    The log is applied when the queue runs dry, before the first job of lower priority than
    reading text (previews, OCR …), and during a long queue every
    :data:`INDEX_BATCH_SECONDS`, so a single upload is searchable at once and a
    folder of hundreds of files is indexed in batches.

    :param stop: when set, no further job is claimed (a stopping worker finishes the
        one it has, instead of draining a long queue or being killed mid-job).
    """
    done, unapplied = 0, False
    last_apply = time.monotonic()
    while (max_jobs is None or done < max_jobs) and not (stop and stop.is_set()):
        job_id = claim_next(kb)
        if job_id is None:
            break
        reads_text = _priority(kb, job_id) <= TEXT_PRIORITY
        if unapplied and not reads_text:
            # Text is read; make it searchable before the slower previews and OCR start
            # (upload-to-searchable must not wait for a page image).
            apply_index_log(kb)
            last_apply, unapplied = time.monotonic(), False
        run_job(kb, job_id)
        done, unapplied = done + 1, unapplied or reads_text
        if time.monotonic() - last_apply >= INDEX_BATCH_SECONDS:
            apply_index_log(kb)
            last_apply, unapplied = time.monotonic(), False
    apply_index_log(kb)
    return done


def _priority(kb: Kb, job_id: int) -> int:
    with kb.db.reading() as session:
        return int(session.scalar(select(Job.priority).where(Job.id == job_id)) or 0)


def pending_jobs(kb: Kb) -> int:
    with kb.db.reading() as session:
        query = select(func.count(Job.id)).where(Job.state.in_(("queued", "running")))
        return int(session.scalar(query) or 0)


#: What an unreachable database raises: SQLite's lock wait ran out, a refused or broken
#: PostgreSQL connection, the pool's wait for a connection.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
#: Waits between attempts while the database is unreachable: 1, 2, 4 … at most 30 s.
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class Outage:
    """The worker's view of a database outage: back off, say so once per attempt in one
    line (not a traceback every poll), and on recovery give back the job it was running.

    A job whose result could not be stored is still "running" under this worker's name;
    no other worker would take it for ``KB_JOB_STALE_SECONDS``. This worker runs one job
    at a time, so between rounds any job under its name is an interrupted one.
    """

    def __init__(self) -> None:
        self.since: float | None = None
        self.delay = BACKOFF_FIRST

    def failed(self, exc: Exception) -> float:
        """Note a failed attempt; return how long to wait before the next."""
        if self.since is None:
            self.since, self.delay = time.monotonic(), BACKOFF_FIRST
        else:
            self.delay = min(self.delay * 2, BACKOFF_MAX)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        logger.warning("Database unavailable (%s); next attempt in %.0f s", reason, self.delay)
        return self.delay

    def recovered(self, kb: Kb) -> None:
        """After an outage: log it and requeue this worker's interrupted job (if any)."""
        if self.since is None:
            return
        requeued = requeue_own(kb)
        logger.warning(
            "Database reachable again after %.0f s; %d interrupted job(s) queued again",
            time.monotonic() - self.since,
            requeued,
        )
        self.since, self.delay = None, BACKOFF_FIRST


def requeue_own(kb: Kb) -> int:
    """Queue again the jobs this worker (thread) left "running"; the interruption does not
    count as one of the job's attempts (the database was away, the file is not to blame)."""
    with kb.db.writing() as session:
        mine = session.scalars(
            select(Job).where(Job.state == "running", Job.locked_by == worker_id())
        ).all()
        for job in mine:
            job.state, job.attempts = "queued", max(0, job.attempts - 1)
        return len(mine)


class Worker:
    """Runs jobs in a loop; woken at once by a notification (PostgreSQL ``NOTIFY``, or
    ``kb.job_signal`` in-process), else polls every few seconds (see :mod:`kb.services.wakeup`).
    """

    def __init__(
        self,
        kb: Kb,
        poll_seconds: float = 2.0,
        sole: bool = False,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.kb = kb
        self.sole = sole
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_on: dt.date | None = None
        self._validity_on: dt.date | None = None
        self.waiter = JobWaiter(kb)
        self.outage = Outage()

    def run_forever(self) -> None:
        if not self._until_started():
            return
        self.waiter.listen()  # before the first look at the queue: nothing slips through
        try:
            while not self._stop.is_set():
                try:
                    self.run_round()
                except DATABASE_DOWN as exc:
                    self._stop.wait(self.outage.failed(exc))
                    continue  # no LISTEN wait: that connection is down too
                except Exception:  # keep the loop alive; the job row keeps the error
                    logger.exception("Worker loop error")
                self.waiter.wait(self.poll_seconds)
        finally:
            self.waiter.close()

    def _until_started(self) -> bool:
        """Requeue jobs of dead workers and make sure the index is usable; while the
        database is unreachable (a server starting after the database, say), wait and
        retry instead of exiting. False if stopped meanwhile."""
        stale_after = dt.timedelta(
            seconds=int(self.kb.config.get("KB_JOB_STALE_SECONDS") or STALE_AFTER.total_seconds())
        )
        while not self._stop.is_set():
            try:
                requeue_stale(self.kb, older_than=dt.timedelta(0) if self.sole else stale_after)
                ensure_index(self.kb)
                self.outage.recovered(self.kb)
                return True
            except DATABASE_DOWN as exc:
                self._stop.wait(self.outage.failed(exc))
        return False

    def run_round(self) -> None:
        """One round: repair a damaged index, run the queue, then the scheduled chores."""
        if self.kb.index.health() != "ok":  # e.g. a truncated segment file
            ensure_index(self.kb)
        self.outage.recovered(self.kb)
        run_until_idle(self.kb, stop=self._stop)
        optimize_if_due(self.kb, self.clock())
        self.purge_if_due()
        self.refresh_validity_if_due()

    def purge_if_due(self) -> None:
        """At start and once a day: blank personal data in audit entries past their retention
        period, delete temporary files of uploads whose process was killed, purge items
        that have been in the trash longer than ``KB_TRASH_DAYS``, and prune index-log
        entries every live replica has applied."""
        now = self.clock()
        if self._purged_on == now.date():
            return
        self.kb.store.remove_stale_temp()
        from kb.services.audit import purge_personal_data
        from kb.services.trash import purge_expired

        retention = int(self.kb.config.get("KB_AUDIT_RETENTION_DAYS", 90))
        purge_personal_data(self.kb, now.replace(tzinfo=None), retention)
        purge_expired(self.kb, now.replace(tzinfo=None))
        prune_index_log(self.kb)
        self._purged_on = now.date()

    def refresh_validity_if_due(self) -> None:
        """Once a day: re-index guidance, whose validity (a facet and rank factor) moves with
        the date — "gilt ab 01.01." becomes current on that day without anyone editing it."""
        today = self.kb.today()
        if self._validity_on == today:
            return
        from kb.services.indexing import reindex_guidance

        reindex_guidance(self.kb)
        self._validity_on = today

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="kb-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self.kb.job_signal.set()
        if self._thread is not None:
            self._thread.join(timeout)
