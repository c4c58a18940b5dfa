"""Index-log pruning across replicas: two index folders on one database.

Each index folder (an app server's ``index/``) registers itself in ``index_replicas``
and records the log id it has applied; the worker prunes only entries every replica seen
within ``KB_REPLICA_STALE_DAYS`` has applied, and always keeps the newest
``KB_INDEX_LOG_KEEP``. A replica that was away too long rebuilds from the database when
it starts (here: a real ``kb init`` process).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _config
from fault_support import bulk_items, run_kb
from flask import Flask
from sqlalchemy import func, select, update

from kb.app import create_app
from kb.models import IndexLog, IndexReplica, utcnow
from kb.services import replicas
from kb.services.access import ANONYMOUS
from kb.services.check import run_check
from kb.services.context import Kb
from kb.services.indexing import apply_index_log, ensure_index
from kb.services.jobs import Worker
from kb.services.replicas import list_replicas, misses_entries, prune_index_log
from kb.services.search import run_search
from kb.services.setup import init_instance

KEEP = 5


@pytest.fixture
def app(tmp_path: Path, template_db) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    from conftest import open_app

    app = open_app(tmp_path / "a", template_db, KB_INDEX_LOG_KEEP=KEEP)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


@pytest.fixture
def other(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A second app server: the same database and blob store, its own index folder."""
    other = create_app(
        {
            **_config(tmp_path / "b"),
            "KB_DATABASE_URL": app.config["KB_DATABASE_URL"],
            "KB_UPLOAD_DIR": str(app.config["KB_UPLOAD_DIR"]),
        }
    )
    init_instance(other.extensions["kb"])
    yield other
    other.extensions["kb"].close()


def _log_ids(kb: Kb) -> tuple[int, int, int]:
    with kb.db.reading() as session:
        low, high, count = session.execute(
            select(func.min(IndexLog.id), func.max(IndexLog.id), func.count(IndexLog.id))
        ).one()
    return low or 0, high or 0, count


def _row(kb: Kb) -> IndexReplica:
    with kb.db.reading() as session:
        row = session.get(IndexReplica, kb.index.replica_id())
        assert row is not None
        return row


def _make_stale(kb: Kb, days: int = 8) -> None:
    with kb.db.writing() as session:
        session.execute(
            update(IndexReplica)
            .where(IndexReplica.id == kb.index.replica_id())
            .values(seen_at=utcnow() - dt.timedelta(days=days))
        )


def test_the_indexer_registers_its_replica_and_records_each_apply(kb, make_item):
    replica_id = kb.index.replica_id()
    assert len(replica_id) == 32 and (kb.index.root / "REPLICA").read_text() == replica_id
    row = _row(kb)
    assert row.applied_id == 0 and row.index_dir == str(kb.index.root) and row.host
    make_item("Sitzungsprotokoll", title="Protokoll")
    assert _row(kb).applied_id == _log_ids(kb)[1] > 0
    from kb.services.indexing import reindex

    reindex(kb)  # a rebuild keeps the folder's identity
    assert kb.index.replica_id() == replica_id
    assert [r.id for r in list_replicas(kb)] == [replica_id]
    assert list_replicas(kb)[0].this and not list_replicas(kb)[0].stale


def test_an_idle_indexer_reports_at_most_once_a_minute(kb, monkeypatch):
    apply_index_log(kb)
    first = _row(kb).seen_at
    apply_index_log(kb)  # nothing new, within the heartbeat: no write
    assert _row(kb).seen_at == first
    monkeypatch.setattr(replicas, "HEARTBEAT_SECONDS", 0.0)
    apply_index_log(kb)
    assert _row(kb).seen_at > first


def test_pruning_waits_for_the_slowest_live_replica_and_keeps_the_newest(app, other):
    a, b = app.extensions["kb"], other.extensions["kb"]
    bulk_items(a, 20, 1, prefix="Erste")
    apply_index_log(b)  # B reaches 20 and stops there
    bulk_items(a, 20, 1, prefix="Zweite")
    apply_index_log(a)  # A reaches 40
    assert (_row(a).applied_id, _row(b).applied_id) == (40, 20)

    assert prune_index_log(a) == 19  # below B's position; B's own entry stays
    assert _log_ids(a) == (20, 40, 21)
    with b.db.reading() as session:
        assert not misses_entries(session, b.index.applied_id())
    apply_index_log(b)  # B catches up from the log alone
    assert _row(b).applied_id == 40 and run_check(b).ok

    assert prune_index_log(a) == 21 - KEEP  # both at 40: only the newest KEEP stay
    assert _log_ids(a) == (40 - KEEP + 1, 40, KEEP)
    assert prune_index_log(a) == 0


def test_a_replica_away_too_long_stops_holding_back_and_rebuilds_when_it_starts(app, other):
    a, b = app.extensions["kb"], other.extensions["kb"]
    bulk_items(a, 10, 1, prefix="Alt")
    apply_index_log(a)
    apply_index_log(b)
    b.index.close()  # B's server goes away for a while
    _make_stale(b)
    bulk_items(a, 20, 1, prefix="Neu")
    apply_index_log(a)
    assert prune_index_log(a) == 30 - KEEP  # B no longer counts
    with b.db.reading() as session:
        assert misses_entries(session, 10)
    check = run_check(b)
    assert not check.ok and any("schon gelöscht" in p for p in check.problems)

    started = run_kb(other, "init")  # B's server comes back: a real `kb init` process
    assert started.returncode == 0, started.stderr
    assert b.index.applied_id() == 30 and _row(b).applied_id == 30
    assert not next(r for r in list_replicas(a) if r.id == b.index.replica_id()).stale
    assert run_search(b, "Neu", ANONYMOUS).total == 20
    assert run_search(b, "Alt", ANONYMOUS).total == 10
    assert run_check(b).ok


def test_ensure_index_says_behind_when_it_rebuilds_for_pruned_entries(app, other):
    a, b = app.extensions["kb"], other.extensions["kb"]
    bulk_items(a, 12, 1)
    apply_index_log(a)
    _make_stale(b)
    prune_index_log(a)
    assert ensure_index(b) == "behind"
    assert b.index.applied_id() == 12 and ensure_index(b) == "ok"


def test_without_a_live_replica_nothing_is_pruned(app, other):
    a, b = app.extensions["kb"], other.extensions["kb"]
    bulk_items(a, 12, 1)
    apply_index_log(a)
    apply_index_log(b)
    _make_stale(a)
    _make_stale(b)
    assert prune_index_log(a) == 0 and _log_ids(a)[2] == 12


def test_the_stale_window_is_configurable(app, other):
    a, b = app.extensions["kb"], other.extensions["kb"]
    bulk_items(a, 12, 1)
    apply_index_log(a)
    _make_stale(b, days=2)  # B is still at 0
    assert prune_index_log(a) == 0
    a.config["KB_REPLICA_STALE_DAYS"] = 1
    assert prune_index_log(a) == 12 - KEEP


def test_the_log_position_beyond_the_end_means_a_replaced_database(kb):
    with kb.db.reading() as session:
        assert not misses_entries(session, 0)
        assert misses_entries(session, 3)  # the log is empty: it began anew


def test_stale_replicas_are_a_warning_in_healthz_and_named_by_kb_stats(app, other):
    b = other.extensions["kb"]
    _make_stale(b)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # a warning, not a failure
    body = response.get_json()
    assert body["status"] == "ok" and body["replicas"] == {"known": 2, "stale": 1}
    assert any("1 Suchindex-Kopie(n) seit über 7 Tagen" in w for w in body["warnings"])
    assert str(b.index.root) not in response.get_data(as_text=True)  # public: no paths

    result = app.test_cli_runner().invoke(args=["stats"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Indexkopie:")]
    assert len(lines) == 2
    assert any(str(b.index.root) in line and "VERALTET" in line for line in lines)
    assert any("(dieser Server)" in line and "VERALTET" not in line for line in lines)
    assert "Hinweis: 1 Suchindex-Kopie(n)" in result.output


def test_the_workers_daily_housekeeping_prunes_the_log(kb):
    bulk_items(kb, 12, 1)
    apply_index_log(kb)
    Worker(kb).purge_if_due()
    assert _log_ids(kb)[2] == KEEP


def test_replicas_are_not_exported(kb, tmp_path):
    from kb.services.portability import export_instance

    report = export_instance(kb, tmp_path / "export")
    assert "index_replicas" not in report.tables and "index_log" not in report.tables
