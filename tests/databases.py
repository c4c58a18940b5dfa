"""One migrated template database per test session, copied for every test.

Migrating for every test would cost more than the test. So the schema (and the
reference data ``kb init`` loads) is built once, and each app gets a copy:

- SQLite (the default): the template is a file, copied into the test's data folder.
- PostgreSQL (``KB_TEST_DATABASE_URL`` set): the template is a database
  ``kb_tmpl_<token>`` on that server, and each app gets ``CREATE DATABASE
  kb_t_<token>_<n> TEMPLATE kb_tmpl_<token>`` (about 30 ms on a small cluster), dropped
  again when the test ends. A copy of a whole database isolates tests completely
  (sequences, reference data, the migration table), with no truncation order to get
  wrong and no transaction tricks that the code under test — which commits, and runs
  worker threads and child processes with their own connections — would break.

The server URL's own database is only used to issue ``CREATE``/``DROP DATABASE``; its
contents are never touched. Its user needs the CREATEDB privilege.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, make_url, text

from kb.app import create_app
from kb.db import normalise_url
from kb.models import IndexReplica
from kb.services.setup import init_instance


def _build(data_dir: Path, url: str, config: dict[str, object]) -> None:
    """Migrate the database at ``url`` and load what ``kb init`` loads, then close it."""
    app = create_app({**config, "KB_DATA_DIR": str(data_dir), "KB_DATABASE_URL": url})
    kb = app.extensions["kb"]
    init_instance(kb)
    # The template's own index is no replica of the copies: each test has its own index.
    with kb.db.writing() as session:
        session.execute(delete(IndexReplica))
    kb.close()


class SqliteTemplate:
    """The template is a migrated SQLite file; each app gets its own copy."""

    is_postgres = False

    def __init__(self, data_dir: Path, config: dict[str, object]) -> None:
        self.path = data_dir / "kb.sqlite3"
        _build(data_dir, f"sqlite:///{self.path}", config)

    def new(self, data_dir: Path) -> str:
        """A fresh copy in ``data_dir``; return its URL."""
        target = data_dir / "kb.sqlite3"
        target.write_bytes(self.path.read_bytes())
        return f"sqlite:///{target}"

    def release(self, url: str) -> None:
        """Nothing to do: the file goes with the test's temporary folder."""

    def close(self) -> None:
        """Nothing to do."""


class PostgresTemplate:
    """The template is a migrated database on the server; each app gets a copy of it."""

    is_postgres = True

    def __init__(self, server_url: str, data_dir: Path, config: dict[str, object]) -> None:
        self.server_url = make_url(normalise_url(server_url))
        token = secrets.token_hex(3)
        self.prefix = f"kb_t_{token}_"
        self.template = f"kb_tmpl_{token}"
        self._count = 0
        self._live: set[str] = set()
        # CREATE/DROP DATABASE cannot run inside a transaction.
        self._admin: Engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self._execute(f'CREATE DATABASE "{self.template}"')
        _build(data_dir, self.url_of(self.template), config)
        # A template must have no connections while it is copied; _build disposed its engine.

    def url_of(self, name: str) -> str:
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(sql))

    def new(self, data_dir: Path) -> str:
        """A fresh copy of the template; return its URL (``data_dir`` is not needed)."""
        self._count += 1
        name = f"{self.prefix}{self._count}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self._live.add(name)
        return self.url_of(name)

    def release(self, url: str) -> None:
        """Drop a copy made by :meth:`new` (its app must be closed; stray sessions are cut)."""
        name = make_url(url).database
        if name in self._live:
            self._live.discard(name)
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop every copy still there and the template itself."""
        for name in sorted(self._live):
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._live.clear()
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._admin.dispose()


TemplateDatabase = SqliteTemplate | PostgresTemplate
