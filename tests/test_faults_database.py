"""The database goes away for a while: pages answer 503 in German, /healthz says why, and
the app serves again as soon as the database is back, without a restart.

SQLite: another connection holds the file's exclusive lock for longer than the busy
timeout (``KB_DB_TIMEOUT_SECONDS``, shortened here). PostgreSQL (marker test): the
database refuses connections and its sessions are terminated, as when the server stops.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import open_app, post_multipart
from sqlalchemy import create_engine, func, select, text

from kb.models import FileVersion, Item

UNAVAILABLE = "Die Datenbank ist gerade nicht erreichbar"


@pytest.fixture
def impatient_app(tmp_path: Path, template_db):  # type: ignore[no-untyped-def]
    app = open_app(tmp_path / "data", template_db, KB_DB_TIMEOUT_SECONDS=0.5)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


@contextmanager
def sqlite_locked(kb) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Hold the database file's exclusive lock (no other connection may read or write)."""
    kb.db.engine.dispose()  # exclusive locking needs the WAL index to itself
    lock = sqlite3.connect(kb.db.engine.url.database, isolation_level=None)
    try:
        lock.execute("PRAGMA locking_mode=EXCLUSIVE")
        lock.execute("BEGIN EXCLUSIVE")
        lock.execute("COMMIT")  # the lock stays until the connection closes
        yield
    finally:
        lock.close()


@contextmanager
def postgres_refusing(kb) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The app's database refuses connections and its open sessions are ended."""
    url = kb.db.engine.url
    name = url.database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def _outage_and_recovery(app, outage: Callable) -> None:  # type: ignore[type-arg]
    kb, client = app.extensions["kb"], app.test_client()
    assert client.get("/").status_code == 200
    with outage(kb):
        # (A search that finds nothing needs no database at all, so it is not in this list.)
        for path in ("/", "/events", "/items/1", "/upload"):
            response = client.get(path)
            page = response.get_data(as_text=True)
            assert response.status_code == 503, path
            assert UNAVAILABLE in page and "Traceback" not in page, path
            assert response.headers["Retry-After"] == "30"
        api = client.get("/items/1", headers={"Accept": "application/json"})
        assert api.status_code == 503 and api.get_json()["message"].startswith(UNAVAILABLE)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["database"] == "unreachable"
        assert "Die Datenbank ist nicht erreichbar." in health.get_json()["problems"]
        files = [(io.BytesIO(b"Protokoll der Sitzung"), "sitzung.txt")]
        upload = post_multipart(client, "/upload", {"kind": "protokoll", "files": files})
        assert upload.status_code == 503
    # Back: the next requests are served, without restarting anything.
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200
    with kb.db.reading() as session:  # the refused upload left nothing behind
        assert session.scalar(select(func.count(Item.id))) == 0
        assert session.scalar(select(func.count(FileVersion.id))) == 0
    files = [(io.BytesIO(b"Protokoll der Sitzung"), "sitzung.txt")]
    upload = post_multipart(client, "/upload", {"kind": "protokoll", "files": files})
    assert upload.status_code == 201


def test_a_locked_sqlite_database_gives_503_and_the_app_recovers(impatient_app):
    if impatient_app.extensions["kb"].db.is_postgres:
        pytest.skip("SQLite file locking; the PostgreSQL variant is the marker test below")
    _outage_and_recovery(impatient_app, sqlite_locked)


@pytest.mark.postgres
def test_a_postgres_database_refusing_connections_gives_503_and_the_app_recovers(
    impatient_app,
):
    _outage_and_recovery(impatient_app, postgres_refusing)


def test_the_database_timeout_is_configurable(tmp_path: Path, template_db):  # type: ignore[no-untyped-def]
    app = open_app(tmp_path / "data", template_db, KB_DB_TIMEOUT_SECONDS=7)
    try:
        kb = app.extensions["kb"]
        if not kb.db.is_sqlite:
            pytest.skip(
                "PostgreSQL: the timeout is libpq's connect_timeout, seen in the test above"
            )
        with kb.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
            # and every connection writes ahead (readers are not blocked by the one writer)
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])
