"""/healthz for monitoring and ``kb stats`` for people: what they report and when they alarm."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import create_engine, update
from sqlalchemy.orm import sessionmaker

from kb.models import IndexLog, Job, utcnow
from kb.services import jobs
from kb.services.indexing import apply_index_log
from kb.services.status import check_health, collect_stats

HOUR = dt.timedelta(hours=1)


def test_fresh_instance_is_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["index"]["state"] == "ok" and body["index"]["lag"] == 0
    assert body["jobs"]["queued"] == 0 and body["problems"] == []


def test_a_job_nobody_picks_up_makes_it_unhealthy(client, kb, make_item):
    make_item("Wartet auf einen Worker", wait=False)
    assert client.get("/healthz").status_code == 200  # just queued: normal
    with kb.db.writing() as session:
        session.execute(update(Job).values(created_at=utcnow() - HOUR))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["jobs"]["queued"] == 1
    assert body["jobs"]["oldest_queued_seconds"] >= 3600
    assert any("Aufträge warten" in p for p in body["problems"])


def test_an_index_that_falls_behind_the_log_makes_it_unhealthy(kb, make_item):
    make_item("Wird gelesen, aber nicht indexiert", wait=False)
    jobs.run_job(kb, jobs.claim_next(kb))  # text stored, log entry written, index untouched
    health = check_health(kb)
    assert health.ok and health.index.lag == 1  # a moment's lag is normal
    later = check_health(kb, now=utcnow() + HOUR)
    assert not later.ok
    assert later.index.lag == 1 and later.index.lag_seconds >= 3600
    assert any("Suchindex hängt" in p for p in later.problems)
    apply_index_log(kb)
    caught_up = check_health(kb, now=utcnow() + HOUR)
    assert caught_up.ok and caught_up.index.lag == 0
    assert caught_up.index.applied == caught_up.index.log_max


def test_a_missing_index_makes_it_unhealthy(client, kb):
    kb.index.close()
    kb.index.current_file.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["index"]["state"] == "missing"


def test_an_unreachable_database_is_reported_without_details(client, kb, monkeypatch):
    broken = create_engine("sqlite:////proc/kb-does-not-exist/kb.sqlite3")
    monkeypatch.setattr(kb.db, "read", sessionmaker(broken))
    try:
        response = client.get("/healthz")
    finally:
        broken.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "unreachable"
    assert body["problems"] == ["Die Datenbank ist nicht erreichbar."]
    assert "kb-does-not-exist" not in response.get_data(as_text=True)


def test_stats_count_items_files_pages_and_disk(kb, make_item, runner):
    make_item("Seite eins\fSeite zwei\fSeite drei", title="Drei Seiten")
    make_item("Noch nicht gelesen", title="Wartet", wait=False)
    stats = collect_stats(kb)
    assert stats["items"] == 2
    assert stats["files"] == {"done": 1, "pending": 1, "total": 2}
    assert stats["pages"] == 3
    assert stats["jobs"]["queued"] == 1 and stats["index"]["lag"] == 0
    disk = stats["disk"]
    assert disk["blobs_bytes"] > 0 and disk["index_bytes"] > 0 and disk["database_bytes"] > 0

    result = runner.invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"] == 2
    text = runner.invoke(args=["stats"]).output
    assert "Einträge:        2" in text
    assert "1 wartend" in text and "Seiten/Folien:   3" in text


def test_stats_show_the_index_lag(kb, make_item):
    make_item("Eins")
    with kb.db.writing() as session:
        session.add(IndexLog(object_type="item", object_id=1))
    index = collect_stats(kb)["index"]
    assert index["lag"] == 1 and index["log_max"] == index["applied"] + 1
