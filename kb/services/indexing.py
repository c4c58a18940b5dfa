"""Feeding the index from the database: the index log, its applier, and rebuilds.

Services append "re-index item X" entries to ``index_log`` in the same
transaction as the change. :func:`apply_index_log` is the one writer: under
the index's file lock it reads entries after the last applied id, rebuilds
those items' documents from the database as they are now and records the new
applied id inside the index, so replaying is always safe.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kb.models import IndexLog, Item
from kb.search.index import Document
from kb.services.context import Kb
from kb.services.documents import all_documents, documents_for
from kb.services.replicas import misses_entries, record_applied
from kb.services.wakeup import INDEX_CHANNEL, notify

logger = logging.getLogger(__name__)

#: Any fixed number: the PostgreSQL advisory lock that serialises log appends.
INDEX_LOG_LOCK = 7310


def append_index_log(session: Session, object_id: int, object_type: str = "item") -> None:
    """Record "re-index object ``object_id``"; call inside the changing transaction.

    ``object_type`` is "item", "event" or "qa" (objects without files get one
    index document of their own).

    Appends are serialised so ids become visible in order and an indexer
    that remembers the last applied id never skips one. SQLite serialises
    writers anyway (``BEGIN IMMEDIATE``); PostgreSQL takes an advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Held until commit: the next append waits, so its id is both larger and later
        # visible. Taken before the insert draws an id from the sequence.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": INDEX_LOG_LOCK})
        notify(session, INDEX_CHANNEL)  # other app servers' indexers apply it at once
    session.add(IndexLog(object_type=object_type, object_id=object_id))


def apply_index_log(kb: Kb, batch: int = 200) -> int:
    """Apply pending index-log entries; return how many were applied.

    Returns 0 at once if another process holds the writer lock: it will apply
    the same entries, and nobody waits on it.
    """
    applied_total = 0
    with kb.index.writer_lock() as got_lock:
        if not got_lock:
            return 0
        applied = kb.index.applied_id()
        while True:
            with kb.db.reading() as session:
                entries = session.scalars(
                    select(IndexLog).where(IndexLog.id > applied).order_by(IndexLog.id).limit(batch)
                ).all()
                if not entries:
                    break
                wanted: dict[str, set[int]] = {}
                for entry in entries:
                    wanted.setdefault(entry.object_type, set()).add(entry.object_id)
                docs: dict[str, list[Document]] = {}
                for object_type, ids in wanted.items():
                    docs.update(documents_for(session, object_type, sorted(ids), kb.today()))
            applied = entries[-1].id
            kb.index.replace_objects(docs, applied)
            applied_total += len(entries)
            logger.info("Applied index log up to %d (%d objects)", applied, len(docs))
        record_applied(kb, applied)  # this replica's position, for pruning the log
    return applied_total


def reindex(kb: Kb) -> int:
    """Rebuild the whole index from the database alone (no file is parsed again).

    The log's max id and the data are read in one snapshot, so entries written
    during the rebuild are applied afterwards by the normal log applier.
    """
    with kb.index.writer_lock(blocking=True):
        count, max_id = _rebuild(kb)
        record_applied(kb, max_id, force=True)
    return count


def _rebuild(kb: Kb) -> tuple[int, int]:
    """The rebuild itself; the caller holds the writer lock. Returns (documents, log id)."""
    with kb.db.read() as session:
        # One transaction for the max id and all the data. PostgreSQL's default (READ
        # COMMITTED) takes a new snapshot per statement, so ask for REPEATABLE READ; an
        # SQLite read transaction keeps its first snapshot anyway. The first
        # connection() begins the session's transaction (autobegin).
        snapshot = {"isolation_level": "REPEATABLE READ"} if kb.db.is_postgres else {}
        session.connection(execution_options=snapshot)
        max_id = session.scalar(select(func.max(IndexLog.id))) or 0
        count = 0

        def counted() -> Iterator[Document]:
            nonlocal count
            for doc in all_documents(session, kb.today()):
                count += 1
                yield doc

        kb.index.rebuild(counted(), max_id)
    return count, max_id


def last_log_id(session: Session, item_id: int) -> int:
    return session.scalar(select(func.max(IndexLog.id)).where(IndexLog.object_id == item_id)) or 0


def ensure_index(kb: Kb) -> str:
    """Make sure a usable index exists; rebuild it from the DB if it is missing, damaged,
    built with another schema, or behind entries of the log that have been pruned since
    (the replica was away longer than ``KB_REPLICA_STALE_DAYS``). Only indexers call this
    (``kb init``, ``kb serve``, the worker at start). Directories left by a killed rebuild
    are removed first.

    The replica is registered before anything else, at the position it has, so the log is
    not pruned past it while it rebuilds or catches up.

    :return: the state found before any repair ("ok", "missing", "outdated", "corrupt",
        or "behind" for a replica that missed pruned entries).
    """
    with kb.index.writer_lock() as got_lock:
        if got_lock:  # else another indexer is at work, and any extra directory may be its own
            kb.index.remove_stale_dirs()
    health = kb.index.health()
    applied = kb.index.applied_id() if health == "ok" else 0
    record_applied(kb, applied, force=True)
    if health == "missing":
        logger.info("Creating the search index from the database")
        reindex(kb)
    elif health != "ok":
        logger.warning("Search index is %s; rebuilding it from the database", health)
        reindex(kb)
    else:
        with kb.db.reading() as session:
            behind = misses_entries(session, applied)
        if behind:
            logger.warning(
                "Search index is at log id %d, but entries after it have been pruned (or the "
                "database was replaced); rebuilding it from the database",
                applied,
            )
            reindex(kb)
            health = "behind"
    return health


def optimize(kb: Kb, today: dt.date | None = None) -> bool:
    """Merge the index's segments; False if another process holds the writer lock.

    :param today: the date written to the stamp (the worker passes its clock's date).
    """
    with kb.index.writer_lock() as got_lock:
        if not got_lock:
            return False
        kb.index.optimize()
        (kb.index.root / OPTIMIZE_STAMP).write_text((today or dt.date.today()).isoformat())
        return True


#: When the worker optimises: once a night, between these hours (local time), when idle.
OPTIMIZE_HOUR = 2
OPTIMIZE_UNTIL_HOUR = 6
#: A worker that never runs at night (an office PC) optimises after this many days at its
#: first idle moment.
OPTIMIZE_AT_LATEST_DAYS = 7
OPTIMIZE_STAMP = "last-optimize"


def optimize_if_due(kb: Kb, now: dt.datetime) -> bool:
    """The worker's nightly schedule: optimise once per night between :data:`OPTIMIZE_HOUR`
    and :data:`OPTIMIZE_UNTIL_HOUR`, or by day once the last time is a week ago.

    Merging a large index takes minutes and much memory, so it must not start by day just
    because a worker started: an index never optimised counts from the day it was written
    (a rebuild writes few, large segments).
    """
    last = _last_optimized(kb)
    at_night = OPTIMIZE_HOUR <= now.hour < OPTIMIZE_UNTIL_HOUR
    if at_night and last != now.date():
        return optimize(kb, now.date())
    if last is not None and (now.date() - last).days >= OPTIMIZE_AT_LATEST_DAYS:
        return optimize(kb, now.date())
    return False


def _last_optimized(kb: Kb) -> dt.date | None:
    stamp = kb.index.root / OPTIMIZE_STAMP
    try:
        return dt.date.fromisoformat(stamp.read_text().strip())
    except (OSError, ValueError):
        return kb.index.created_on()


def reindex_guidance(kb: Kb) -> int:
    """Queue every guidance item for re-indexing (its validity depends on today's date).

    Guidance is a few dozen items, so re-indexing all of it once a day is cheaper and
    simpler than working out whose status a date boundary has just moved.
    """
    with kb.db.writing() as session:
        ids = list(session.scalars(select(Item.id).where(Item.kind == "leitfaden")))
        for item_id in ids:
            append_index_log(session, item_id)
    if ids:
        kb.job_signal.set()
    logger.info("Queued %d guidance items for their daily validity refresh", len(ids))
    return len(ids)
