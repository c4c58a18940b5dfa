"""How an instance is doing: ``/healthz`` for monitoring, ``kb stats`` for people.

Health is judged by age, not by size: a bulk import legitimately queues hundreds
of jobs and log entries, but a job that has waited a quarter of an hour or an
index entry unapplied for five minutes means a worker or indexer is not running.
The index checked is this app server's own replica, so each server of a larger
deployment reports its own lag.

``/healthz`` is public, so it names states, never error texts (those can carry
host names or paths); the exception goes to the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kb.models import FileVersion, IndexLog, Item, Job, Page, utcnow
from kb.services.context import Kb
from kb.services.replicas import list_replicas, stale_days

logger = logging.getLogger(__name__)

#: Unhealthy when the oldest unapplied index-log entry is older than this.
MAX_INDEX_LAG = dt.timedelta(minutes=5)
#: Unhealthy when a queued job has waited longer than this.
MAX_JOB_WAIT = dt.timedelta(minutes=15)


@dataclass
class IndexState:
    #: "ok", "missing", "outdated", "corrupt" (see :meth:`SearchIndex.health`)
    state: str = "unknown"
    applied: int = 0
    log_max: int = 0
    #: log entries this index has not applied yet, and the age of the oldest of them
    lag: int = 0
    lag_seconds: float = 0.0


@dataclass
class JobState:
    queued: int = 0
    running: int = 0
    failed: int = 0
    oldest_queued_seconds: float = 0.0


@dataclass
class ReplicaState:
    #: index folders fed from the log (one per app server), and those not seen for too long
    known: int = 0
    stale: int = 0


@dataclass
class Health:
    database: str = "ok"
    index: IndexState = field(default_factory=IndexState)
    jobs: JobState = field(default_factory=JobState)
    replicas: ReplicaState = field(default_factory=ReplicaState)
    #: German sentences for the operator; empty when healthy
    problems: list[str] = field(default_factory=list)
    #: German sentences worth a look that do not make the instance unhealthy
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "error", **asdict(self)}


def _seconds(since: dt.datetime | None, now: dt.datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


def _job_state(session: Session, now: dt.datetime) -> JobState:
    counts = dict(session.execute(select(Job.state, func.count(Job.id)).group_by(Job.state)).all())
    oldest = session.scalar(select(func.min(Job.created_at)).where(Job.state == "queued"))
    return JobState(
        queued=int(counts.get("queued", 0)),
        running=int(counts.get("running", 0)),
        failed=int(counts.get("failed", 0)),
        oldest_queued_seconds=_seconds(oldest, now),
    )


def _index_state(kb: Kb, session: Session, now: dt.datetime) -> IndexState:
    state = IndexState(state=kb.index.health())
    state.log_max = int(session.scalar(select(func.max(IndexLog.id))) or 0)
    if state.state != "ok":
        return state
    state.applied = kb.index.applied_id()
    pending = select(IndexLog).where(IndexLog.id > state.applied)
    state.lag = int(session.scalar(select(func.count()).select_from(pending.subquery())) or 0)
    first = session.scalar(select(func.min(IndexLog.created_at)).where(IndexLog.id > state.applied))
    state.lag_seconds = _seconds(first, now)
    return state


def _replica_state(kb: Kb, now: dt.datetime) -> tuple[ReplicaState, list[str]]:
    replicas = list_replicas(kb, now)
    state = ReplicaState(known=len(replicas), stale=sum(r.stale for r in replicas))
    warnings = []
    if state.stale:
        # Public: a count, not the host names or folders (kb stats names them).
        warnings.append(
            f"{state.stale} Suchindex-Kopie(n) seit über {stale_days(kb)} Tagen nicht gemeldet; "
            "sie halten das Aufräumen des Index-Protokolls nicht mehr auf und bauen beim "
            "nächsten Start neu auf (welche: kb stats)."
        )
    return state, warnings


def check_health(kb: Kb, now: dt.datetime | None = None) -> Health:
    """Database reachable, index usable and fresh, jobs not stuck.

    :param now: the current UTC time (naive, as stored); injectable for tests.
    """
    now = now or utcnow()
    health = Health()
    try:
        with kb.db.reading() as session:
            health.jobs = _job_state(session, now)
            health.index = _index_state(kb, session, now)
        health.replicas, health.warnings = _replica_state(kb, now)
    except Exception:  # monitoring reads this; it must answer, not raise
        logger.exception("Health check: the database cannot be read")
        health.database = "unreachable"
        health.problems.append("Die Datenbank ist nicht erreichbar.")
        return health
    index, jobs = health.index, health.jobs
    if index.state != "ok":
        health.problems.append(f"Der Suchindex ist nicht benutzbar ({index.state}).")
    elif index.lag_seconds > MAX_INDEX_LAG.total_seconds():
        health.problems.append(
            f"Der Suchindex hängt {index.lag} Änderungen hinterher, die älteste seit "
            f"{index.lag_seconds:.0f} s (läuft kb worker?)."
        )
    if jobs.oldest_queued_seconds > MAX_JOB_WAIT.total_seconds():
        health.problems.append(
            f"{jobs.queued} Aufträge warten, der älteste seit {jobs.oldest_queued_seconds:.0f} s "
            "(läuft kb worker?)."
        )
    return health


def _tree_bytes(root: Path) -> int:
    """Bytes of all files under ``root`` (0 if it does not exist)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:  # removed while we walked (an index merge, a temp upload)
                continue
    return total


def _database_bytes(kb: Kb, session: Session) -> int:
    if kb.db.is_postgres:
        return int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    path = kb.db.engine.url.database
    if not path:
        return 0
    return sum(
        Path(path + suffix).stat().st_size
        for suffix in ("", "-wal", "-shm")
        if Path(path + suffix).exists()
    )


def collect_stats(kb: Kb, now: dt.datetime | None = None) -> dict[str, Any]:
    """Counts, index lag, job backlog and disk use, as ``kb stats`` prints them."""
    health = check_health(kb, now)
    with kb.db.reading() as session:
        states = session.execute(
            select(FileVersion.status, func.count(FileVersion.id)).group_by(FileVersion.status)
        ).all()
        stats: dict[str, Any] = {
            "items": int(session.scalar(select(func.count(Item.id))) or 0),
            "files": {str(k): int(v) for k, v in states},
            "pages": int(session.scalar(select(func.count(Page.id))) or 0),
            "database_bytes": _database_bytes(kb, session),
        }
    stats["files"]["total"] = sum(stats["files"].values())
    stats["index"] = asdict(health.index)
    stats["jobs"] = asdict(health.jobs)
    stats["disk"] = {
        "blobs_bytes": _tree_bytes(kb.store.root),
        "index_bytes": _tree_bytes(kb.index.root),
        "database_bytes": stats.pop("database_bytes"),
    }
    stats["replicas"] = [
        {**asdict(r), "seen_at": r.seen_at.isoformat(timespec="seconds") + "Z"}
        for r in list_replicas(kb, now)
    ]
    stats["healthy"] = health.ok
    stats["problems"] = health.problems
    stats["warnings"] = health.warnings
    return stats
