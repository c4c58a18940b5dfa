"""``kb backup DIR``: a dated export, the last N kept — what a nightly timer runs.

Each run writes ``DIR/kb-backup-YYYYMMDD-HHMMSS`` (local time) with
:func:`kb.services.portability.export_instance`, first under a ``.partial`` name that is
renamed only when the export is complete, so a failed or killed run never counts as a
backup and never pushes a good one out. Old backups are removed only after a new one
succeeded. A lock file in ``DIR`` keeps two runs (an overlapping timer) apart; partial
folders left by a killed run are removed under that lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from kb.errors import KbError
from kb.services.context import Kb
from kb.services.portability import export_instance

logger = logging.getLogger(__name__)

PREFIX = "kb-backup-"
#: Complete backups: the prefix, date and time, and a counter if one second saw two.
BACKUP_NAME = re.compile(r"^kb-backup-\d{8}-\d{6}(-\d+)?$")
PARTIAL_SUFFIX = ".partial"
LOCK_NAME = ".kb-backup.lock"


class BackupFailed(KbError):
    code = "backup_failed"
    status = 500


@dataclass
class BackupResult:
    path: Path
    removed: list[Path] = field(default_factory=list)


def backups(root: Path) -> list[Path]:
    """The complete backups in ``root``, oldest first (the names sort by time)."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.iterdir() if p.is_dir() and BACKUP_NAME.match(p.name) and _complete(p)
    )


def _complete(path: Path) -> bool:
    return (path / "manifest.json").is_file()


def _failed(reason_de: str, reason_en: str) -> BackupFailed:
    return BackupFailed(
        f"Die Sicherung ist fehlgeschlagen: {reason_de} Ältere Sicherungen sind unverändert.",
        f"The backup failed: {reason_en} Older backups are unchanged.",
    )


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / LOCK_NAME, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _failed(
                f"In {root} läuft gerade eine andere Sicherung.",
                f"Another backup is running in {root}.",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _free_name(root: Path, now: dt.datetime) -> str:
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    n = 1
    candidate = name
    while (root / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def run_backup(
    kb: Kb, root: Path, keep: int = 7, now: dt.datetime | None = None, secrets: bool = True
) -> BackupResult:
    """Write a new dated backup into ``root`` and keep the newest ``keep`` backups.

    :param now: the time the folder is named after (local time); injectable for tests.
    :raises BackupFailed: with a German message; nothing of the failed run is left behind.
    """
    if keep < 1:
        raise _failed("--keep muss mindestens 1 sein.", "--keep must be at least 1.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed(
            f"Der Ordner {root} kann nicht angelegt werden ({exc.strerror}).",
            f"The folder {root} cannot be created ({exc.strerror}).",
        ) from exc
    try:
        with _locked(root):
            for leftover in root.glob(f"{PREFIX}*{PARTIAL_SUFFIX}"):
                logger.warning("Removing %s, left by an interrupted backup", leftover.name)
                shutil.rmtree(leftover, ignore_errors=True)
            path = root / _free_name(root, now or dt.datetime.now())
            _export(kb, path, secrets)
            removed = _remove_old(root, keep)
    except OSError as exc:  # the lock file itself could not be written
        raise _failed(
            f"Im Ordner {root} kann nicht geschrieben werden ({exc.strerror}).",
            f"Cannot write in {root} ({exc.strerror}).",
        ) from exc
    logger.info("Backup written to %s; %d old backup(s) removed", path, len(removed))
    return BackupResult(path, removed)


def _export(kb: Kb, path: Path, secrets: bool) -> None:
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    try:
        export_instance(kb, partial, secrets=secrets)
        partial.rename(path)
    except KbError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise _failed(exc.message_de, exc.message_en) from exc
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise _failed(
            f"Schreiben nach {path.parent} ging nicht ({exc.strerror}; Speicherplatz?).",
            f"Writing to {path.parent} failed ({exc.strerror}; disk space?).",
        ) from exc
    except SQLAlchemyError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        logger.error("Backup: the database cannot be read: %s", exc)
        raise _failed(
            "Die Datenbank ist nicht erreichbar.", "The database cannot be reached."
        ) from exc


def _remove_old(root: Path, keep: int) -> list[Path]:
    old = backups(root)[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old
