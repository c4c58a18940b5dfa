from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kb.db import Base
from kb.migrate import is_initialised, upgrade


def test_migrations_match_the_models(kb):
    with kb.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_init_is_idempotent(kb, runner):
    assert is_initialised(kb.db.engine)
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
    upgrade(kb.db.engine)
    tables = set(inspect(kb.db.engine).get_table_names())
    assert {"items", "file_versions", "pages", "jobs", "index_log", "events"} <= tables
