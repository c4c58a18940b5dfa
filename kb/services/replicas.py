"""Index replicas and pruning the index log behind them.

Every index directory fed from the shared log (one per app server) is a *replica*: its
indexer records, after each apply, which log id it has reached (``index_replicas``, keyed
by the id in ``index/REPLICA``). The worker deletes log entries that every replica seen
within ``KB_REPLICA_STALE_DAYS`` has applied, always keeping the newest
``KB_INDEX_LOG_KEEP``. A replica away for longer no longer holds the log back; when it
starts again and finds that entries it still needed are gone, it rebuilds from the
database (:func:`misses_entries`, called by ``ensure_index``).

Why ids and not times: the indexer's position is an id inside the index, and "every live
replica has applied it" is the only rule under which deleting an entry can never make a
replica skip a change.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.models import IndexLog, IndexReplica, utcnow
from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: A replica not seen for this many days no longer holds back pruning (KB_REPLICA_STALE_DAYS).
STALE_DAYS = 7
#: Pruning always keeps at least this many of the newest log entries (KB_INDEX_LOG_KEEP).
KEEP_ENTRIES = 1000
#: An idle indexer still reports that it is alive this often (seconds).
HEARTBEAT_SECONDS = 60.0

#: (replica id, database URL) -> (applied id last written, time.monotonic() of the write)
_last_written: dict[tuple[str, str], tuple[int, float]] = {}


@dataclass
class Replica:
    id: str
    host: str
    index_dir: str
    applied_id: int
    seen_at: dt.datetime
    #: not seen within KB_REPLICA_STALE_DAYS: ignored by pruning, shown as a warning
    stale: bool
    #: the replica of the process asking (this server's own index)
    this: bool


def stale_days(kb: Kb) -> int:
    return max(1, int(kb.config.get("KB_REPLICA_STALE_DAYS") or STALE_DAYS))


def record_applied(kb: Kb, applied: int, force: bool = False) -> None:
    """Write this index's position and "seen now" to ``index_replicas``.

    Called by the holder of the index writer lock after each apply. An unchanged position
    is written at most every :data:`HEARTBEAT_SECONDS` (the worker applies every few
    seconds), unless ``force``.
    """
    replica_id = kb.index.replica_id()
    key = (replica_id, str(kb.db.engine.url))
    last = _last_written.get(key)
    now = time.monotonic()
    if not force and last and last[0] == applied and now - last[1] < HEARTBEAT_SECONDS:
        return
    with kb.db.writing() as session:
        row = session.get(IndexReplica, replica_id)
        if row is None:
            row = IndexReplica(id=replica_id, first_seen_at=utcnow())
            session.add(row)
        row.host = socket.gethostname()[:255]
        row.index_dir = str(kb.index.root)[:1000]
        row.applied_id, row.seen_at = applied, utcnow()
    _last_written[key] = (applied, now)


def list_replicas(kb: Kb, now: dt.datetime | None = None) -> list[Replica]:
    """Every known replica, oldest position first.

    :param now: the current UTC time (naive, as stored); injectable for tests.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=stale_days(kb))
    mine = kb.index.replica_file.read_text().strip() if kb.index.replica_file.exists() else ""
    with kb.db.reading() as session:
        rows = session.scalars(
            select(IndexReplica).order_by(IndexReplica.applied_id, IndexReplica.id)
        ).all()
        return [
            Replica(
                id=r.id,
                host=r.host,
                index_dir=r.index_dir,
                applied_id=r.applied_id,
                seen_at=r.seen_at,
                stale=r.seen_at < cutoff,
                this=r.id == mine,
            )  # fmt: skip
            for r in rows
        ]


def prune_index_log(kb: Kb, now: dt.datetime | None = None) -> int:
    """Delete log entries that every live replica has applied; return how many.

    Keeps the newest ``KB_INDEX_LOG_KEEP`` entries in any case, and everything if no
    replica has been seen within ``KB_REPLICA_STALE_DAYS`` (then nobody can say what is
    still needed). The entry at the cut-off itself is kept, so a live replica's own
    position stays in the log and :func:`misses_entries` can tell it apart from one that
    was away too long.
    """
    keep = max(1, int(kb.config.get("KB_INDEX_LOG_KEEP") or KEEP_ENTRIES))
    cutoff_seen = (now or utcnow()) - dt.timedelta(days=stale_days(kb))
    with kb.db.writing() as session:
        floor = session.scalar(
            select(func.min(IndexReplica.applied_id)).where(IndexReplica.seen_at >= cutoff_seen)
        )
        newest_kept = session.scalar(
            select(IndexLog.id).order_by(IndexLog.id.desc()).offset(keep - 1).limit(1)
        )
        if floor is None or newest_kept is None:
            return 0
        cutoff = min(int(floor), int(newest_kept))
        deleted = session.execute(delete(IndexLog).where(IndexLog.id < cutoff)).rowcount or 0
    if deleted:
        logger.info("Pruned %d index-log entries below id %d", deleted, cutoff)
    return int(deleted)


def misses_entries(session: Session, applied: int) -> bool:
    """True if an index at log position ``applied`` cannot catch up by replaying the log.

    Either entries after ``applied`` have been pruned (the replica was away longer than
    ``KB_REPLICA_STALE_DAYS``: its position lies more than one below the oldest entry
    left), or its position lies beyond the log's end (the database was replaced, e.g.
    restored from a backup, and the log began anew). Ids are never reused, so on SQLite
    the test is exact; on PostgreSQL a rolled-back append leaves a gap in the ids, which at
    worst costs one unnecessary rebuild, never a missed change.
    """
    oldest, newest = session.execute(select(func.min(IndexLog.id), func.max(IndexLog.id))).one()
    if newest is None:
        return applied > 0
    return applied > newest or applied < oldest - 1
