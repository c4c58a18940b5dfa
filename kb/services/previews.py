"""Page images of an item's files: made by a low-priority job, served with the item's access.

Images are derived data, kept under ``<instance>/previews/<sha256>/`` (one
folder per distinct file, shared by duplicates) and rebuildable at any time;
they are never in the database or the blob store.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kb import previews
from kb.errors import NotFound
from kb.models import FileVersion, Job, utcnow
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.items import load_item

logger = logging.getLogger(__name__)

#: Previews run after text: what makes a file searchable comes first.
PREVIEW_PRIORITY = 20


def folder(kb: Kb, sha256: str) -> Path:
    return Path(kb.config["KB_INSTANCE_DIR"]) / "previews" / sha256


def wanted(config: Mapping[str, Any], mime: str) -> bool:
    """PDFs always; office files only when LibreOffice is there to convert them."""
    if not config.get("KB_PREVIEWS", True):
        return False
    return mime == previews.make.PDF or (
        mime in previews.make.OFFICE and bool(previews.libreoffice())
    )


def page_count(kb: Kb, fv: FileVersion) -> int:
    """How many page images exist for a file version (0: none, show the text only)."""
    path = folder(kb, fv.sha256)
    return len(list(path.glob("*.png"))) if path.is_dir() else 0


def page_size(kb: Kb, fv: FileVersion) -> tuple[int, int] | None:
    """Width and height of the first page image, read from its PNG header.

    The item page gives every page image these dimensions, so the browser reserves the space
    before the images load and a jump to "#page-7" stays on slide 7.
    """
    path = folder(kb, fv.sha256) / "1.png"
    try:
        with path.open("rb") as fh:
            header = fh.read(24)
    except OSError:
        return None
    if len(header) < 24 or header[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def run_preview_job(kb: Kb, job_id: int) -> None:
    """Render the job's file; a file without a preview is not an error of the file."""
    with kb.db.reading() as session:
        job = session.get(Job, job_id)
        fv = session.get(FileVersion, job.file_version_id) if job else None
        if job is None or fv is None:
            return
        source, mime, sha = kb.store.path(fv.sha256), fv.mime, fv.sha256
    message = ""
    try:
        count = previews.make_previews(
            Path(source),
            mime,
            folder(kb, sha),
            cpu_seconds=int(kb.config["KB_EXTRACT_CPU_SECONDS"]),
            memory_mb=int(kb.config["KB_EXTRACT_MEMORY_MB"]),
        )
        logger.info("Rendered %d preview pages for %s", count, sha[:12])
    except previews.PreviewError as exc:
        message = str(exc)
    with kb.db.writing() as session:
        job = session.get(Job, job_id)
        job.state, job.finished_at, job.error = "done", utcnow(), message


def page_image(kb: Kb, item_id: int, file_id: int, number: int, viewer: Viewer) -> Path:
    """The image of one page, checked against the viewer's access like a download."""
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        fv = next((f for f in item.files if f.id == file_id), None)
        if fv is None:
            raise NotFound("Diese Datei gibt es nicht.", "This file does not exist.")
        path = folder(kb, fv.sha256) / f"{number}.png"
    if number < 1 or not path.is_file():
        raise NotFound("Für diese Seite gibt es keine Vorschau.", "No preview for this page.")
    return path
