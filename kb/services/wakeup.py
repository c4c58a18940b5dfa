"""Waking workers at once when there is work, instead of on a slow poll.

Upload-to-searchable is a product promise of seconds, so a worker must not sleep
through a new job. How it is woken depends on where the workers are:

- SQLite: the worker is a thread of the same process (``kb serve``), so a
  :class:`threading.Event` (``kb.job_signal``) set after the commit is enough.
- PostgreSQL: workers are other processes, perhaps on other machines. The
  transaction that queues a job or appends to the index log also sends
  ``NOTIFY``; PostgreSQL delivers it only when that transaction commits, so a
  worker is never woken for a row it cannot see yet, and a rolled-back upload
  wakes no one. Each worker keeps one connection that ``LISTEN``\\s. If that
  connection fails, the worker falls back to polling and reconnects later;
  notifications are an optimisation, the job table stays the truth.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: A job was queued (payload-free; workers look at the table).
JOBS_CHANNEL = "kb_jobs"
#: The index log grew: every app server's indexer should apply it.
INDEX_CHANNEL = "kb_index"
#: How often a waiting worker looks at the in-process signal (so ``stop()`` is prompt).
SLICE_SECONDS = 0.5


def notify(session: Session, channel: str) -> None:
    """Wake listening workers when ``session``'s transaction commits (PostgreSQL only).

    A no-op on SQLite, where the in-process :attr:`Kb.job_signal` does the job.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {channel}"))


class JobWaiter:
    """What a worker sleeps on between rounds: a notification, the in-process signal, or time.

    :param kb: the instance; on PostgreSQL one extra connection is opened for ``LISTEN``.
    """

    def __init__(self, kb: Kb) -> None:
        self.kb = kb
        self._conn: Any = None  # a psycopg.Connection while listening

    def listen(self) -> None:
        """Start listening (PostgreSQL); call before the first look at the queue, so a job
        committed in between is not missed."""
        if not self.kb.db.is_postgres or self._conn is not None:
            return
        import psycopg

        # A long-lived connection of its own, outside the pool: a pooled one would be
        # handed to other code between waits and lose its LISTEN state.
        url = self.kb.db.engine.url.set(drivername="postgresql")
        try:
            self._conn = psycopg.connect(
                url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
            )
            self._conn.execute(f"LISTEN {JOBS_CHANNEL}")
            self._conn.execute(f"LISTEN {INDEX_CHANNEL}")
        except Exception as exc:  # the database may be restarting: poll meanwhile
            logger.warning("Cannot listen for new jobs (%s); polling instead", exc)
            self.close()

    def wait(self, timeout: float) -> bool:
        """Sleep until woken or ``timeout`` seconds have passed; True if woken."""
        self.listen()
        deadline = time.monotonic() + timeout
        signal = self.kb.job_signal
        while (left := deadline - time.monotonic()) > 0:
            if signal.is_set():
                signal.clear()
                return True
            if self._conn is None:
                signal.wait(min(left, SLICE_SECONDS))
            elif self._notified(min(left, SLICE_SECONDS)):
                return True
        return False

    def _notified(self, timeout: float) -> bool:
        try:
            woken = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
            if woken:  # drain what else arrived: one round of work covers it all
                for _ in self._conn.notifies(timeout=0.01):
                    pass
            return woken
        except Exception as exc:
            logger.warning("Lost the connection that listens for jobs (%s); polling", exc)
            self.close()
            return False

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken; nothing left to release
                logger.debug("Closing the listening connection failed", exc_info=True)
