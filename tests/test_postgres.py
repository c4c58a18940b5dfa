"""What only a PostgreSQL server does: skip-locked claims, the log's advisory lock, NOTIFY.

Run with ``make test-pg`` (or ``KB_TEST_DATABASE_URL=…``); skipped otherwise.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kb.models import Item, Job, Tag
from kb.services import jobs
from kb.services.context import Kb, make_kb
from kb.services.indexing import INDEX_LOG_LOCK, append_index_log
from kb.services.wakeup import JOBS_CHANNEL, JobWaiter, notify

pytestmark = pytest.mark.postgres


@pytest.fixture
def other_kb(kb: Kb, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A second instance on the same database, as another process or server would be:
    its own engine, index folder and in-process signal."""
    config = {**kb.config, "KB_INDEX_DIR": tmp_path / "other-index"}
    other = make_kb(config)
    yield other
    other.close()


def test_a_claim_skips_jobs_another_worker_holds(kb, make_item):
    make_item("eins", title="a", wait=False)
    make_item("zwei", title="b", wait=False)
    with kb.db.reading() as session:
        first, second = session.scalars(select(Job.id).order_by(Job.id)).all()
    claimed: list[int | None] = []
    with kb.db.engine.connect() as holder:
        holder.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"), {"id": first})
        # Without SKIP LOCKED this claim would wait for the holder's transaction.
        thread = threading.Thread(target=lambda: claimed.append(jobs.claim_next(kb)))
        thread.start()
        thread.join(30)
        assert not thread.is_alive(), "the claim waited on a locked job"
        holder.rollback()
    assert claimed == [second]
    assert jobs.claim_next(kb) == first


def test_index_log_appends_hold_the_advisory_lock_until_commit(kb):
    def lock_is_free() -> bool:
        with kb.db.engine.connect() as probe:
            free = probe.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": INDEX_LOG_LOCK})
            probe.rollback()
            return bool(free)

    assert lock_is_free()
    with kb.db.writing() as session:
        append_index_log(session, 1)
        session.flush()
        # A second appender would wait here, so its id is larger and becomes visible later.
        assert not lock_is_free()
    assert lock_is_free()


def test_a_worker_elsewhere_is_woken_by_notify_on_commit(kb, other_kb, make_item):
    waiter = JobWaiter(other_kb)
    waiter.listen()
    try:
        assert not waiter.wait(0.6)  # nothing happened
        with pytest.raises(RuntimeError), kb.db.writing() as session:
            notify(session, JOBS_CHANNEL)
            raise RuntimeError("upload aborted")
        assert not waiter.wait(0.6), "a rolled-back transaction woke the worker"
        make_item("Weckruf über die Datenbank", wait=False)
        # other_kb.job_signal was never set: only PostgreSQL's notification can wake it.
        assert not other_kb.job_signal.is_set()
        assert waiter.wait(30)
        jobs.run_job(kb, jobs.claim_next(kb))  # the index-log entry wakes indexers too
        assert waiter.wait(30)
    finally:
        waiter.close()


def test_waiter_falls_back_to_polling_when_its_connection_dies(kb, other_kb):
    waiter = JobWaiter(other_kb)
    waiter.listen()
    try:
        pid = waiter._conn.info.backend_pid
        with kb.db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
        assert not waiter.wait(0.6)  # no exception, just a poll
        other_kb.job_signal.set()
        assert waiter.wait(5)
    finally:
        waiter.close()


def test_two_uploads_creating_the_same_tag_both_succeed(kb, make_item):
    """The second insert of a new tag waits for the first and then takes its row."""
    outcome: list[int] = []
    with kb.db.engine.connect() as first:
        first.execute(text("INSERT INTO tags (slug, name) VALUES ('neues-thema', 'Neues Thema')"))
        thread = threading.Thread(
            target=lambda: outcome.append(make_item("x", tags=["Neues Thema"], wait=False))
        )
        thread.start()
        waiting = False
        for _ in range(300):  # until the upload waits on the unique index
            with kb.db.engine.connect() as probe:
                waiting = bool(
                    probe.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()"
                        )
                    )
                )
            if waiting or not thread.is_alive():
                break
            threading.Event().wait(0.1)
        assert waiting, "the upload did not meet the concurrent insert"
        first.commit()
        thread.join(30)
    assert len(outcome) == 1
    with kb.db.reading() as session:
        assert session.scalars(select(Tag.slug)).all() == ["neues-thema"]
        item = session.get(Item, outcome[0])
        assert [t.slug for t in item.tags] == ["neues-thema"]
