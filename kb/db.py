"""Database: declarative base, one engine and two session factories per app.

SQLite is the embedded default and is tuned here: WAL so readers never block
the writer, a busy timeout, foreign keys on, and ``BEGIN IMMEDIATE`` for
sessions that will write. Without the immediate lock a transaction that first
reads and later writes fails with SQLITE_BUSY as soon as a second writer
exists (the worker thread and a web request, say). Read sessions use a plain
deferred ``BEGIN``. PostgreSQL needs none of this: it runs through psycopg 3
(``postgresql://`` URLs are read as ``postgresql+psycopg://``), with connections
checked before use so a restarted server costs one retry, not an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

logger = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of all models; constraint names are fixed so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _tune_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the driver so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("kb_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    """The engine and the session factories of one app (or one CLI process)."""

    engine: Engine
    read: sessionmaker[Session]
    write: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception."""
        with self.write() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.read() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def normalise_url(url: str) -> str:
    """Read ``postgresql://`` and ``postgres://`` as psycopg 3 URLs.

    SQLAlchemy's default PostgreSQL driver is psycopg2, which kb does not install;
    operators copy URLs from ``psql`` habits, so the plain forms must just work.

    >>> normalise_url("postgres://kb@db/kb")
    'postgresql+psycopg://kb@db/kb'
    >>> normalise_url("sqlite:///kb.sqlite3")
    'sqlite:///kb.sqlite3'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_database(url: str, timeout: float = 30.0) -> Database:
    """Create the engine for ``url`` (creating the SQLite folder if needed).

    :param timeout: seconds to wait for SQLite's lock, or to connect to PostgreSQL, before
        a request fails with ``OperationalError`` (the web edge answers 503).
    """
    url = normalise_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout})
        _tune_sqlite(engine, int(timeout * 1000))
    else:
        connect = {"connect_timeout": max(1, int(timeout))} if url.startswith("postgresql") else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect)
    write_engine = engine.execution_options(kb_write=True)
    return Database(
        engine=engine,
        read=sessionmaker(engine, expire_on_commit=False),
        write=sessionmaker(write_engine, expire_on_commit=False),
    )
