"""All materials of an event as one ZIP, with a table of contents.

Only the current file of each item the viewer may see goes in; an item the
viewer may not see is left out and not mentioned. Talks come in programme
order, then the other materials (by date, then title). Entry names are built
from our own data, never trusted from an upload: "03 Impulsvortrag - Titel.pptx"
(number, kind, title, the original extension), stripped of path separators and
control characters, at most :data:`NAME_CHARS` characters, and made unique.

The archive is written under ``<instance>/tmp/`` as ``*.part`` and renamed when
complete, so no reader ever sees a half-written ZIP; the caller streams it and
removes it. Files of items that are not public are written to the audit log, as
single downloads are (one entry per file, after the archive is complete).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from kb.models import KINDS, Event, FileVersion, Item
from kb.services import audit
from kb.services.access import Viewer, is_public
from kb.services.context import Kb
from kb.services.event_pages import agenda_entries, visible_items
from kb.services.events import load_event

logger = logging.getLogger(__name__)

NAME_CHARS = 120
TOC_NAME = "Inhaltsverzeichnis.txt"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+|\.{2,}')


@dataclass(frozen=True)
class ZipEntry:
    number: int
    item_id: int
    public: bool
    title: str
    speakers: str
    kind_label: str
    original_name: str
    size: int
    sha256: str
    name: str  # inside the ZIP


def safe_component(text: str, limit: int = NAME_CHARS) -> str:
    """One path component that cannot climb out of a folder or upset Windows."""
    cleaned = _UNSAFE.sub(" ", text)
    cleaned = " ".join(cleaned.split()).strip(" .")
    return cleaned[:limit].rstrip(" .") or "Datei"


def _extension(filename: str) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def entry_name(number: int, kind_label: str, title: str, filename: str, taken: set[str]) -> str:
    """ "03 Impulsvortrag - Titel.pptx", unique (case-insensitively) among ``taken``."""
    ext = _extension(filename)
    stem = safe_component(f"{number:02d} {kind_label} - {title}", NAME_CHARS - len(ext) - 4)
    name, n = f"{stem}{ext}", 1
    while name.casefold() in taken or name == TOC_NAME:
        n += 1
        name = f"{stem} ({n}){ext}"
    taken.add(name.casefold())
    return name


def _ordered(session: Session, event: Event, viewer: Viewer) -> list[Item]:
    items = visible_items(session, event.id, viewer)
    position = {}
    for entry in agenda_entries(session, event.id):
        if entry.item_id is not None:
            position.setdefault(entry.item_id, len(position))
    return sorted(items, key=lambda i: position.get(i.id, len(position)))  # stable: rest by date


def _entries(kb: Kb, items: list[Item]) -> list[ZipEntry]:
    out: list[ZipEntry] = []
    taken: set[str] = set()
    for item in items:
        current: list[FileVersion] = [f for f in item.files if f.is_current]
        for fv in current:
            if not kb.store.exists(fv.sha256):
                logger.warning("ZIP: blob of file version %s is missing", fv.id)
                continue
            number = len(out) + 1
            kind = KINDS.get(item.kind, item.kind)
            out.append(
                ZipEntry(
                    number,
                    item.id,
                    is_public(item),
                    item.title,
                    item.speakers,
                    kind,
                    fv.filename,
                    fv.size,
                    fv.sha256,
                    entry_name(number, kind, item.title, fv.filename, taken),
                )  # fmt: skip
            )
    return out


def _size(n: int) -> str:
    value = float(n)
    for unit in ("Bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "Bytes" else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        value /= 1024
    return f"{n} Bytes"


def _dates(event: Event) -> str:
    if event.starts_on is None:
        return ""
    start = event.starts_on.strftime("%d.%m.%Y")
    if event.ends_on and event.ends_on != event.starts_on:
        return f"{start} – {event.ends_on.strftime('%d.%m.%Y')}"
    return start


def table_of_contents(kb: Kb, event: Event, entries: list[ZipEntry]) -> str:
    """The plain-text table of contents (CRLF line ends, so Windows' Notepad shows it well)."""
    place = ", ".join(p for p in (event.venue, event.city) if p)
    lines = [event.title, "=" * min(len(event.title), 78)]
    if event.series:
        number = f"{event.number}. " if event.number else ""
        lines.append(f"{number}Veranstaltung der Reihe {event.series.title}")
    lines += [f"Datum: {_dates(event)}", f"Ort: {place or '–'}"]
    lines += [f"Adresse im Netz: {kb.base_url}/events/{event.slug}", ""]
    if not entries:
        lines.append("Zu dieser Veranstaltung sind (für Sie) keine Dateien vorhanden.")
    for e in entries:
        lines += [
            f"{e.number:02d}  {e.title}",
            f"    Art: {e.kind_label}",
            *([f"    Vortragende: {e.speakers}"] if e.speakers else []),
            f"    Originaldatei: {e.original_name} ({_size(e.size)})",
            f"    Im Archiv: {e.name}",
            "",
        ]
    return "\r\n".join(lines) + "\r\n"


def materials_zip(kb: Kb, slug: str, viewer: Viewer) -> tuple[str, Path]:
    """(download name, path of a finished ZIP the caller streams and then deletes).

    :raises NotFound: no such event, or one the viewer may not see.
    """
    with kb.db.reading() as session:
        event = load_event(session, slug, viewer)
        entries = _entries(kb, _ordered(session, event, viewer))
        toc = table_of_contents(kb, event, entries)
        download = f"{safe_component(event.title, 100)} - Materialien.zip"
    folder = Path(kb.config["KB_INSTANCE_DIR"]) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=folder, prefix="event-", suffix=".zip.part")
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(TOC_NAME, toc.encode("utf-8-sig"))
            for e in entries:
                archive.write(kb.store.path(e.sha256), e.name)
        _audit(kb, slug, viewer, entries)
        final = Path(part).with_suffix("")  # "….zip.part" -> "….zip"
        os.replace(part, final)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    logger.info("Materials ZIP of %s: %d file(s)", slug, len(entries))
    return download, final


def _audit(kb: Kb, slug: str, viewer: Viewer, entries: list[ZipEntry]) -> None:
    """One "download" entry per file that is not public, as for a single download."""
    internal = [e for e in entries if not e.public]
    if internal:
        with kb.db.writing() as session:
            for e in internal:
                audit.record(session, "download", viewer, e.item_id, f"ZIP {slug}: {e.name}")
