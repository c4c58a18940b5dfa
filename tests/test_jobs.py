"""The job queue: claims, limits, crashes and recovery."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from kb.models import FileVersion, Job, utcnow
from kb.services import jobs


def _job(kb, item_file_id: int | None = None) -> Job:
    with kb.db.reading() as session:
        query = select(Job).order_by(Job.id.desc())
        return session.scalars(query).first()


def test_extraction_that_exceeds_its_limits_fails_with_a_reason(app, kb, make_item):
    app.config["KB_EXTRACT_MEMORY_MB"] = 30  # the child cannot even start
    kb.config["KB_EXTRACT_MEMORY_MB"] = 30
    make_item("Text der nie gelesen wird")
    job = _job(kb)
    assert job.state == "failed"
    with kb.db.reading() as session:
        fv = session.get(FileVersion, job.file_version_id)
    assert fv.status == "failed"
    assert "abgebrochen" in fv.status_message_de


def test_jobs_run_by_priority_then_age(kb, make_item):
    make_item("eins", title="a", wait=False)
    make_item("zwei", title="b", wait=False)
    with kb.db.writing() as session:
        last = session.scalars(select(Job).order_by(Job.id.desc())).first()
        last.priority = 1
        last_id = last.id
    assert jobs.claim_next(kb) == last_id


def test_stale_running_job_is_requeued_then_given_up(kb, make_item):
    make_item("wartet", wait=False)
    job_id = jobs.claim_next(kb)
    old = utcnow() - dt.timedelta(hours=1)  # stored times are naive UTC, not local time
    with kb.db.writing() as session:
        session.execute(update(Job).where(Job.id == job_id).values(started_at=old))
    assert jobs.requeue_stale(kb) == 1
    assert _job(kb).state == "queued"
    assert jobs.claim_next(kb) == job_id  # second attempt
    with kb.db.writing() as session:
        session.execute(update(Job).where(Job.id == job_id).values(started_at=old))
    jobs.requeue_stale(kb)
    job = _job(kb)
    assert job.state == "failed" and "wiederholt abgebrochen" in job.error
    assert jobs.pending_jobs(kb) == 0


def test_worker_thread_wakes_on_upload(kb, make_item):
    worker = jobs.Worker(kb, poll_seconds=30, sole=True)
    worker.start_thread()
    try:
        item_id = make_item("Weckruf für den Worker", wait=False)
        # The poll interval is 30 s; only the signal can make this finish quickly.
        for _ in range(200):
            if jobs.pending_jobs(kb) == 0 and kb.index.doc_count_for(item_id):
                break
            import time

            time.sleep(0.1)
        assert jobs.pending_jobs(kb) == 0
        assert kb.index.doc_count_for(item_id) == 2  # the item and its one page
    finally:
        worker.stop()
