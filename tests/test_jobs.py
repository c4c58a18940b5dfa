"""The job queue: claims, limits, crashes and recovery."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from kb.models import FileVersion, Job, utcnow
from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.previews import PREVIEW_PRIORITY
from kb.services.search import run_search


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


def _crash_twice(kb, job_id: int) -> None:
    """Two claims whose worker never came back (backdated, as after two SIGKILLs)."""
    old = utcnow() - dt.timedelta(hours=1)
    for _ in range(2):
        assert jobs.claim_next(kb) == job_id
        with kb.db.writing() as session:
            session.execute(update(Job).where(Job.id == job_id).values(started_at=old))
        jobs.requeue_stale(kb)


def test_a_file_that_crashes_the_extractor_twice_is_failed_and_the_queue_moves_on(
    client, kb, make_item
):
    crashed = make_item("stürzt ab", title="Absturz", wait=False)
    _crash_twice(kb, _job(kb).id)
    with kb.db.reading() as session:
        fv = session.scalars(select(FileVersion).where(FileVersion.item_id == crashed)).one()
        assert (fv.status, fv.status_message_de, fv.status_message_en) == (
            "failed",
            "Die Verarbeitung ist wiederholt abgebrochen.",
            "Processing was aborted repeatedly.",
        )
        fv_id = fv.id
    # The next upload is read and indexed as usual; the failed one is findable by title.
    after = make_item("Nachfolgender Auftrag mit Kirschblüte", title="Danach")
    assert jobs.pending_jobs(kb) == 0
    assert _job(kb).state == "done"
    assert "1 Treffer" in client.get("/search?q=Kirschblüte").get_data(as_text=True)
    assert "Absturz" in client.get("/search?q=Absturz").get_data(as_text=True)
    status = client.get(f"/upload/status?ids={fv_id}").get_json()["files"][0]
    assert (status["state"], status["message"]) == (
        "failed",
        "Die Verarbeitung ist wiederholt abgebrochen.",
    )
    assert after != crashed


def test_a_preview_that_crashes_twice_leaves_the_file_searchable(kb, make_item):
    item_id = make_item("Lesbarer Text")
    with kb.db.writing() as session:
        fv = session.scalars(select(FileVersion).where(FileVersion.item_id == item_id)).one()
        session.add(Job(kind="preview", priority=20, file_version_id=fv.id))
    _crash_twice(kb, _job(kb).id)
    assert _job(kb).state == "failed"
    with kb.db.reading() as session:
        fv = session.scalars(select(FileVersion).where(FileVersion.item_id == item_id)).one()
        assert (fv.status, fv.status_message_de) == ("done", "")


def test_text_is_searchable_before_a_preview_job_starts(kb, make_item, monkeypatch):
    """Upload-to-searchable must not wait for page images: the index is written first."""
    item_id = make_item("Vorschaureihenfolge", title="Reihenfolge", wait=False)
    with kb.db.writing() as session:
        fv = session.scalars(select(FileVersion).where(FileVersion.item_id == item_id)).one()
        session.add(Job(kind="preview", priority=PREVIEW_PRIORITY, file_version_id=fv.id))
    found_when_preview_starts = []
    original = jobs.run_job

    def spy(kb_, job_id):  # type: ignore[no-untyped-def]
        with kb_.db.reading() as session:
            kind = session.get(Job, job_id).kind
        if kind == "preview":
            found = run_search(kb_, "Vorschaureihenfolge", ANONYMOUS).total
            found_when_preview_starts.append(found)
        return original(kb_, job_id)

    monkeypatch.setattr(jobs, "run_job", spy)
    jobs.run_until_idle(kb)
    assert found_when_preview_starts == [1]
