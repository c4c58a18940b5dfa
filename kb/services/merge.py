"""``kb restore DIR --merge``: add an archive's content to an instance that has its own.

A plain restore copies every row with its id into an empty instance. A merge cannot: the
ids are taken. It walks the archive's tables parents first and, row by row, either

- **reuses** a row that is already here, found by its natural key (a district's AGS, the
  slug of a topic, programme, tag, series, event or organisation, a username, a person's
  name within the organisation), leaving it as it is;
- **skips** content that is already here: an item with the same title and the same set of
  file hashes (not twinned, reported), a Q&A entry with the same question at the same
  event; or
- **adds** it as a new row with a new id, its references rewritten through the ids found
  so far.

A row that belongs to another (a file version to its item, a page to its file version, an
agenda entry or participant to its event, …) is added only when its owner was added, so
nothing that was here gains or loses anything. Accounts' secrets, Mappen, saved searches,
jobs and the audit trail of the other instance stay out: they describe its users' work
there, not content.

The archive is checked completely first (:func:`kb.services.portability.checked_manifest`:
every file against the manifest's SHA-256, the schema version), so a tampered archive
imports nothing. Blobs are deduplicated by hash and claimed under the blob lock
(:mod:`kb.services.blobs`); all rows go in one transaction, with an index-log entry per
added object, so the indexer picks them up like any other change. Running the same merge
twice adds nothing the second time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from kb.models import FileVersion, Item, Job
from kb.services import blobs
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.portability import checked_manifest, load_rows, tables

logger = logging.getLogger(__name__)

#: Rows here are matched by these columns (any one key that finds a row is a match).
MATCH_KEYS: dict[str, list[tuple[str, ...]]] = {
    "districts": [("ags",)],
    "topics": [("slug",)],
    "programmes": [("slug",), ("name",)],
    "tags": [("slug",)],
    "event_series": [("slug",)],
    "events": [("slug",)],
    "organisations": [("slug",)],
    "users": [("username",)],
    "persons": [("name", "organisation_id")],
    "qa_entries": [("question", "event_id")],
}
#: Matched content is "skipped (already here)" in the report; the rest is "reused".
CONTENT = {"items", "qa_entries"}
#: A row of these tables belongs to the row its column names; it is added only with it.
OWNER = {
    "file_versions": "item_id",
    "pages": "file_version_id",
    "item_districts": "item_id",
    "item_persons": "item_id",
    "item_tags": "item_id",
    "item_topics": "item_id",
    "workflow_steps": "item_id",
    "agenda_entries": "event_id",
    "agenda_speakers": "entry_id",
    "event_participants": "event_id",
    "qa_guidance": "qa_id",
}
NOT_MERGED = {
    "api_tokens",
    "reset_tokens",
    "calendar_feeds",
    "mappen",
    "mappe_entries",
    "saved_searches",
    "jobs",
    "audit_events",
}
#: Added objects that have index documents of their own.
INDEXED = {"items": "item", "events": "event", "qa_entries": "qa"}


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: (title, id here) of each item that was already here
    skipped_items: list[tuple[str, int]] = field(default_factory=list)
    #: tables the archive has rows in that a merge leaves out
    left_out: list[str] = field(default_factory=list)


def merge_instance(kb: Kb, source: Path) -> MergeReport:
    """Add the content of the export in ``source`` to this instance (see the module doc).

    :raises RestoreRefused: tampered archive or another schema version (nothing imported).
    """
    manifest = checked_manifest(kb, source)
    data = {t.name: load_rows(source, manifest, t) for t in tables()}
    report = MergeReport()
    report.left_out = sorted(n for n in NOT_MERGED if data.get(n))
    hashes = {row["sha256"] for row in data["file_versions"]}
    copied = [sha for sha in sorted(hashes) if not kb.store.exists(sha)]
    try:
        for sha in copied:  # bytes first: no row ever points at missing bytes
            with (source / "blobs" / sha[:2] / sha).open("rb") as fh:
                kb.store.put(fh)
        with kb.db.writing() as session:
            merger = _Merger(session, report, data)
            for table in tables():
                if table.name not in NOT_MERGED:
                    merger.merge_table(table)
            merger.link_successors()
            for sha in merger.claimed:
                blobs.claim(kb, session, sha)
            merger.queue_work(kb)
    except BaseException:
        # Nothing was merged: the bytes copied for it go again (those a row here uses stay).
        blobs.delete_unreferenced(kb, copied)
        raise
    kb.job_signal.set()
    logger.info(
        "Merged %s: added %s, reused %s, skipped %s",
        source,
        dict(report.added),
        dict(report.reused),
        dict(report.skipped),
    )
    return report


class _Merger:
    """The id maps of one merge: old id (archive) -> id here, and which rows were added."""

    def __init__(self, session: Session, report: MergeReport, data: dict[str, list]) -> None:
        self.session, self.report, self.data = session, report, data
        self.ids: dict[str, dict[Any, Any]] = defaultdict(dict)
        self.added: dict[str, set[Any]] = defaultdict(set)
        self.successors: dict[int, int] = {}  # old item id -> old id of the item it supersedes
        self.claimed: set[str] = set()
        self.item_keys = self._items_here()
        self.referenced = {
            fk.column.table.name
            for t in tables()
            if t.name not in NOT_MERGED
            for fk in t.foreign_keys
        }
        self.archive_shas: dict[int, set[str]] = defaultdict(set)
        for fv in data.get("file_versions", []):
            self.archive_shas[fv["item_id"]].add(fv["sha256"])

    # -- per table -------------------------------------------------------------------
    def merge_table(self, table: Table) -> None:
        # Rows nothing refers to and nothing matches (pages, links) go in one statement.
        bulk = table.name not in MATCH_KEYS and table.name not in self.referenced
        pending: list[dict[str, Any]] = []
        for row in self.data.get(table.name, []):
            owner = OWNER.get(table.name) or self._deadline_owner(table, row)
            if owner is not None and not self._owner_added(table, owner, row):
                continue
            values = self._remap(table, row)
            if values is None:
                self.report.skipped[table.name] += 1
            elif table.name == "items":
                self._merge_item(table, row, values)
            elif bulk:
                pending.append(values)
            else:
                self._merge_row(table, row, values)
        if pending:
            self.session.execute(table.insert(), pending)
            self.report.added[table.name] += len(pending)

    def _merge_row(self, table: Table, row: dict[str, Any], values: dict[str, Any]) -> None:
        pk = _single_pk(table)
        found = self._match(table, values)
        if found is not None:
            self.ids[table.name][row[pk]] = found
            counter = self.report.skipped if table.name in CONTENT else self.report.reused
            counter[table.name] += 1
            return
        new_id = self._insert(table, values)
        if pk is not None:
            self.ids[table.name][row[pk]] = new_id
            self.added[table.name].add(row[pk])
        if table.name == "file_versions":
            self.claimed.add(values["sha256"])
        self.report.added[table.name] += 1

    def _merge_item(self, table: Table, row: dict[str, Any], values: dict[str, Any]) -> None:
        here = self.item_keys.get(self._archive_item_key(row))
        if here is not None:
            self.ids["items"][row["id"]] = here
            self.report.skipped["items"] += 1
            self.report.skipped_items.append((row["title"], here))
            return
        if row.get("supersedes_id") is not None:
            self.successors[row["id"]] = row["supersedes_id"]
        self._merge_row(table, row, values)

    def link_successors(self) -> None:
        """Second pass for "supersedes": the predecessor may come later in the file, and a
        predecessor here that already has a successor keeps it (the column is unique)."""
        taken = set(
            self.session.scalars(select(Item.supersedes_id).where(Item.supersedes_id.is_not(None)))
        )
        for old, old_target in self.successors.items():
            target = self.ids["items"].get(old_target)
            if target is None or target in taken:
                continue
            self.session.execute(
                Item.__table__.update()
                .where(Item.id == self.ids["items"][old])
                .values(supersedes_id=target)
            )
            taken.add(target)

    def queue_work(self, kb: Kb) -> None:
        """Index-log entries for the added objects; text jobs for files not yet read, and
        page images for files read elsewhere (an export carries no page images)."""
        from kb.services.items import queue_text
        from kb.services.previews import PREVIEW_PRIORITY, wanted

        for name, kind in INDEXED.items():
            for old in sorted(self.added[name]):
                append_index_log(self.session, self.ids[name][old], kind)
        for old in sorted(self.added["file_versions"]):
            fv = self.session.get(FileVersion, self.ids["file_versions"][old])
            if fv is None or fv.status == "failed":
                continue
            if fv.status != "done":
                fv.status = "pending"
                queue_text(self.session, fv.item_id, fv, kb.config)
            elif wanted(kb.config, fv.mime):
                preview = Job(kind="preview", priority=PREVIEW_PRIORITY, file_version_id=fv.id)
                self.session.add(preview)

    # -- helpers ---------------------------------------------------------------------
    def _remap(self, table: Table, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row with its references rewritten to ids here; None if a required one
        points at nothing (a row whose parent the archive did not carry)."""
        values = dict(row)
        pk = _single_pk(table)
        if pk is not None and table.name != "districts":
            values.pop(pk)
        for fk in table.foreign_keys:
            column, target = fk.parent.name, fk.column.table.name
            if fk.column.table is table:  # set in a second pass (link_successors)
                values[column] = None
                continue
            if values.get(column) is None:
                continue
            mapped = self.ids[target].get(values[column])
            if mapped is None and not fk.parent.nullable:
                return None
            values[column] = mapped
        return values

    def _owner_added(self, table: Table, column: str, row: dict[str, Any]) -> bool:
        target = next(fk.column.table.name for fk in table.foreign_keys if fk.parent.name == column)
        return row.get(column) in self.added[target]

    @staticmethod
    def _deadline_owner(table: Table, row: dict[str, Any]) -> str | None:
        if table.name != "deadlines":
            return None
        return "item_id" if row.get("item_id") is not None else "event_id"

    def _match(self, table: Table, values: dict[str, Any]) -> Any:
        pk = _single_pk(table)
        for key in MATCH_KEYS.get(table.name, []):
            where = [
                table.c[c].is_(None) if values.get(c) is None else table.c[c] == values[c]
                for c in key
            ]
            found = self.session.execute(select(table.c[pk]).where(and_(*where))).first()
            if found is not None:
                return found[0]
        return None

    def _insert(self, table: Table, values: dict[str, Any]) -> Any:
        result = self.session.execute(table.insert().values(**values))
        keys = result.inserted_primary_key
        return keys[0] if keys is not None and len(keys) == 1 else None

    def _items_here(self) -> dict[tuple[str, frozenset[str]], int]:
        shas: dict[int, set[str]] = defaultdict(set)
        for item_id, sha in self.session.execute(select(FileVersion.item_id, FileVersion.sha256)):
            shas[item_id].add(sha)
        return {
            (title, frozenset(shas[item_id])): item_id
            for item_id, title in self.session.execute(select(Item.id, Item.title))
        }

    def _archive_item_key(self, row: dict[str, Any]) -> tuple[str, frozenset[str]]:
        return row["title"], frozenset(self.archive_shas[row["id"]])


def _single_pk(table: Table) -> str | None:
    columns = list(table.primary_key.columns)
    return columns[0].name if len(columns) == 1 else None
