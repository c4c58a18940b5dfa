"""``kb export`` / ``kb restore``: the whole instance as a self-describing folder.

The archive holds every table of the schema (found by reflection over ``Base.metadata``,
so tables added later are covered without code here), one JSON file per table in
dependency order, the blobs by hash, and ``manifest.json`` with the schema version and
the SHA-256 of every file. Restoring checks every checksum *before* writing anything,
refuses a different schema version and a non-empty instance (``--merge`` is
:mod:`kb.services.merge`), inserts the rows with their ids, puts the blobs into the store
and rebuilds the search index, so the restored instance answers searches and renders
handouts exactly as the original did.

Left out: ``index_log`` and ``index_replicas`` (the index is rebuilt; replicas belong
to the original's index folders), ``login_failures`` (short-lived throttling data).
All tables are read in one snapshot, so an export of a running instance is consistent
(no file version without its item). Secrets are only ever stored as hashes;
``secrets=False`` also blanks password hashes and drops token rows, so accounts need a
reset link after restoring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Date, DateTime, Table, func, select, text
from sqlalchemy.orm import Session

from kb.db import Base
from kb.errors import KbError
from kb.services.context import Kb

logger = logging.getLogger(__name__)

FORMAT = "kb-export"
FORMAT_VERSION = 1
SKIPPED_TABLES = {"index_log", "index_replicas", "login_failures"}
#: Filled by ``kb init`` itself (reference data); a restore replaces their rows instead of
#: refusing.
SEEDED_TABLES = {"districts", "organisations", "topics", "programmes"}
SECRET_TABLES = {"api_tokens", "reset_tokens", "calendar_feeds"}
SECRET_COLUMNS = {("users", "password_hash")}
HASH_CHUNK = 1024 * 1024


class RestoreRefused(KbError):
    code = "restore_refused"
    status = 409


@dataclass
class ExportReport:
    tables: dict[str, int] = field(default_factory=dict)
    blobs: int = 0


def tables() -> list[Table]:
    """Every table to carry, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def schema_version(kb: Kb) -> str:
    with kb.db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, secrets: bool) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    for row in session.execute(select(table).order_by(*order)).mappings():
        out = {k: _encode(v) for k, v in row.items()}
        if not secrets:
            for t, column in SECRET_COLUMNS:
                if t == table.name:
                    out[column] = ""
        yield out


@contextmanager
def _snapshot(kb: Kb) -> Iterator[Session]:
    """One read transaction for every table: SQLite keeps a read transaction's first
    snapshot; PostgreSQL needs REPEATABLE READ for that (READ COMMITTED sees each
    statement's own)."""
    with kb.db.read() as session:
        isolation = {"isolation_level": "REPEATABLE READ"} if kb.db.is_postgres else {}
        session.connection(execution_options=isolation)
        yield session


def export_instance(kb: Kb, target: Path, secrets: bool = True) -> ExportReport:
    """Write the instance to ``target`` (a new or empty folder).

    :raises KbError: ``target`` exists and is not empty.
    """
    if target.exists() and any(target.iterdir()):
        raise KbError(
            f"Der Ordner {target} ist nicht leer. Bitte geben Sie einen neuen Ordner an.",
            f"The folder {target} is not empty. Please name a new folder.",
        )
    (target / "tables").mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    hashes: set[str] = set()
    table_info: dict[str, Any] = {}
    with _snapshot(kb) as session:
        for table in tables():
            if not secrets and table.name in SECRET_TABLES:
                continue
            rows = list(_rows(session, table, secrets))
            path = target / "tables" / f"{table.name}.json"
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
            table_info[table.name] = {"rows": len(rows), "file": f"tables/{table.name}.json"}
            report.tables[table.name] = len(rows)
            if table.name == "file_versions":
                hashes.update(r["sha256"] for r in rows)
    for sha in sorted(hashes):
        if not kb.store.exists(sha):
            raise KbError(
                f"Die Datei {sha} fehlt im Speicher (kb check).",
                f"The blob {sha} is missing from the store (run kb check).",
            )
        dest = target / "blobs" / sha[:2] / sha
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kb.store.path(sha), dest)
        report.blobs += 1
    files = {
        p.relative_to(target).as_posix(): _sha256(p)
        for p in sorted(target.rglob("*"))
        if p.is_file()
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": schema_version(kb),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "secrets": secrets,
        "tables": table_info,
        "files": files,
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    logger.info("Exported %d tables and %d blobs to %s", len(table_info), report.blobs, target)
    return report


def _refuse(de: str, en: str) -> RestoreRefused:
    return RestoreRefused(de + " Es wurde nichts eingespielt.", en + " Nothing was restored.")


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking every listed file against its SHA-256.

    :raises RestoreRefused: missing manifest, unknown format, a missing, extra or
        changed file, or a blob whose content does not match its name.
    """
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _refuse(
            f"In {source} gibt es kein lesbares manifest.json.",
            f"{source} has no readable manifest.json.",
        ) from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse("Das ist kein kb-Export dieses Formats.", "Not a kb export of this format.")
    listed: dict[str, str] = manifest.get("files", {})
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    if present != set(listed):
        odd = sorted(present ^ set(listed))[:3]
        raise _refuse(
            f"Dateien fehlen oder sind hinzugekommen: {', '.join(odd)}.",
            f"Files are missing or were added: {', '.join(odd)}.",
        )
    for name, digest in listed.items():
        actual = _sha256(source / name)
        if actual != digest or (name.startswith("blobs/") and Path(name).name != actual):
            raise _refuse(
                f"Die Prüfsumme von {name} stimmt nicht (verändert oder beschädigt).",
                f"The checksum of {name} does not match (changed or damaged).",
            )
    return manifest


def checked_manifest(kb: Kb, source: Path) -> dict[str, Any]:
    """:func:`read_manifest`, and the archive's schema version must be this instance's.

    :raises RestoreRefused: see :func:`read_manifest`, or another schema version.
    """
    manifest = read_manifest(source)
    here = schema_version(kb)
    if manifest.get("schema_version") != here:
        raise _refuse(
            f"Der Export hat den Schemastand {manifest.get('schema_version')}, diese "
            f"Instanz {here}. Bitte mit der passenden kb-Version wiederherstellen.",
            f"The export has schema version {manifest.get('schema_version')}, this "
            f"instance {here}. Please restore with the matching kb version.",
        )
    return manifest


def load_rows(source: Path, manifest: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    """One table's rows from a checked archive, dates decoded ([] if it was left out)."""
    info = manifest["tables"].get(table.name)
    if info is None:
        return []
    rows = json.loads((source / info["file"]).read_text(encoding="utf-8"))
    return [_decode(table, r) for r in rows]


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(value, str):
            if isinstance(column.type, DateTime):
                out[column.name] = dt.datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                out[column.name] = dt.date.fromisoformat(value)
    return out


def _check_empty(kb: Kb) -> None:
    with kb.db.reading() as session:
        for table in tables():
            if table.name in SEEDED_TABLES:
                continue
            if session.scalar(select(func.count()).select_from(table)):
                raise _refuse(
                    f"Die Instanz ist nicht leer (Tabelle {table.name} hat Einträge). "
                    "Bitte stellen Sie in eine frisch eingerichtete Instanz wieder her "
                    "(neue Datenbank, kb init).",
                    f"The instance is not empty (table {table.name} has rows). Please "
                    "restore into a freshly initialised instance (new database, kb init).",
                )


def restore_instance(kb: Kb, source: Path) -> dict[str, int]:
    """Restore an export into this (empty, initialised) instance; return rows per table.

    :raises RestoreRefused: tampered archive, other schema version or a non-empty instance.
    """
    manifest = checked_manifest(kb, source)
    _check_empty(kb)
    for name in manifest["files"]:  # blobs first: rows never point at missing bytes
        if name.startswith("blobs/"):
            with (source / name).open("rb") as fh:
                kb.store.put(fh)
    counts = _insert_rows(kb, source, manifest)
    from kb.services.indexing import reindex

    reindex(kb)
    logger.info("Restored %d rows from %s", sum(counts.values()), source)
    return counts


def _insert_rows(kb: Kb, source: Path, manifest: dict[str, Any]) -> dict[str, int]:
    """All rows in one transaction, parents first; self-references set in a second pass."""
    counts: dict[str, int] = {}
    with kb.db.writing() as session:
        for table in reversed(tables()):  # children first (organisations name districts)
            if table.name in SEEDED_TABLES and table.name in manifest["tables"]:
                session.execute(table.delete())
        for table in tables():
            if table.name not in manifest["tables"]:
                continue
            rows = load_rows(source, manifest, table)
            self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            first = [{**r, **{c: None for c in self_refs}} for r in rows]
            if first:
                session.execute(table.insert(), first)
            for row in rows:
                values = {c: row[c] for c in self_refs if row.get(c) is not None}
                if values:
                    pk = {c.name: row[c.name] for c in table.primary_key.columns}
                    session.execute(table.update().filter_by(**pk).values(**values))
            counts[table.name] = len(rows)
        _reset_sequences(session)
    return counts


def _reset_sequences(session: Any) -> None:
    """PostgreSQL: move each id sequence past the restored ids (SQLite needs nothing)."""
    if session.bind.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"t": table.name, "c": pk[0].name},
            )
