"""Bulk import of an old folder tree, described by a CSV sidecar per folder.

Each folder may hold ``kb-meta.csv`` (comma or semicolon separated, UTF-8, header row)
with the columns ``file, title, kind, event, district, topics, access, state``. A row
whose ``file`` is empty or ``*`` sets the defaults of that folder and its subfolders; a
row naming a file sets that file's values. Several districts or topics are separated
by ``|``. Every file is checked first (a plan); with ``dry_run`` the plan is the report,
and a plan with errors imports nothing — the operator fixes the sidecar and runs again.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.errors import KbError
from kb.services import duplicates
from kb.services.access import SYSTEM
from kb.services.context import Kb
from kb.services.items import ItemMeta, UploadFile, UploadOutcome, upload_files, validate_meta

logger = logging.getLogger(__name__)

SIDECAR = "kb-meta.csv"
COLUMNS = ("file", "title", "kind", "event", "district", "topics", "access", "state")


@dataclass
class PlannedFile:
    path: Path
    meta: ItemMeta
    errors: list[str] = field(default_factory=list)
    #: The item that already holds these bytes (it is not imported twice).
    duplicate_of: int | None = None


@dataclass
class Plan:
    files: list[PlannedFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(f.errors for f in self.files)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _apply(meta: ItemMeta, row: dict[str, str]) -> ItemMeta:
    changes: dict[str, object] = {}
    for key, value in row.items():
        value = (value or "").strip()
        if not value or key == "file":
            continue
        if key == "district":
            changes["districts"] = _split(value)
        elif key == "topics":
            changes["topics"] = _split(value)
        elif key == "event":
            changes["event_slug"] = value
        else:
            changes[key] = value
    return replace(meta, **changes)  # type: ignore[arg-type]


def _read_sidecar(path: Path) -> list[dict[str, str]]:
    """Rows of a sidecar. :raises ValueError: unreadable, or an unknown column."""
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    unknown = set(rows[0].keys() if rows else []) - set(COLUMNS)
    if unknown:
        raise ValueError(
            f"unbekannte Spalte(n) {', '.join(sorted(unknown))}; erlaubt: {', '.join(COLUMNS)}"
        )
    return rows


def plan_import(kb: Kb, root: Path, base: ItemMeta | None = None) -> Plan:
    """Walk ``root``; work out each file's metadata and check it (nothing is stored)."""
    plan = Plan()
    _plan_folder(kb, root, base or ItemMeta(), plan)
    with kb.db.reading() as session:
        for planned in plan.files:
            try:
                validate_meta(session, planned.meta)
            except KbError as exc:
                planned.errors.append(exc.message_de)
    for planned in plan.files:
        with planned.path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        found = duplicates.find(kb, digest, SYSTEM)
        planned.duplicate_of = found.item_id if found else None
    return plan


def _plan_folder(kb: Kb, folder: Path, inherited: ItemMeta, plan: Plan) -> None:
    defaults, per_file = inherited, {}
    sidecar = folder / SIDECAR
    if sidecar.is_file():
        try:
            rows = _read_sidecar(sidecar)
        except (ValueError, OSError, csv.Error, UnicodeDecodeError) as exc:
            plan.errors.append(f"{sidecar}: nicht lesbar ({exc}).")
            rows = []
        for row in rows:
            name = (row.get("file") or "").strip()
            if name in ("", "*"):
                defaults = _apply(defaults, row)
            else:
                per_file[name] = row
    children = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    names = {p.name for p in children if p.is_file()}
    for name in sorted(set(per_file) - names):
        plan.errors.append(f"{sidecar}: die Datei „{name}“ gibt es in diesem Ordner nicht.")
    for child in children:
        if child.is_dir():
            _plan_folder(kb, child, defaults, plan)
        elif child.name != SIDECAR:
            meta = _apply(defaults, per_file.get(child.name, {}))
            plan.files.append(PlannedFile(child, meta))


def run_import(kb: Kb, plan: Plan) -> list[tuple[PlannedFile, UploadOutcome]]:
    """Import a checked plan as the operator; known bytes are reported, not twinned.

    :raises KbError: the plan has errors (nothing is imported).
    """
    if not plan.ok:
        raise KbError(
            "Der Plan enthält Fehler; es wurde nichts importiert. Bitte prüfen Sie die "
            "Angaben mit --dry-run.",
            "The plan has errors; nothing was imported. Please check with --dry-run.",
        )
    done = []
    for planned in plan.files:
        with planned.path.open("rb") as fh:
            upload = UploadFile(planned.path.name, fh)
            outcome = upload_files(kb, [upload], planned.meta, SYSTEM)[0]
        done.append((planned, outcome))
    logger.info("Bulk import: %d files", len(done))
    return done
