"""Reading items: one item for a viewer, the newest ones, a file to download, upload status.

Split from kb/services/items.py (the write side: uploads); every function checks the
viewer with :func:`kb.services.access.can_view`, the one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.errors import NotFound
from kb.models import FileVersion, Item
from kb.services import audit
from kb.services.access import Viewer, can_view, is_public
from kb.services.context import Kb


def load_item(session: Session, item_id: int, viewer: Viewer) -> Item:
    """The item with files and pages, if ``viewer`` may see it.

    :raises NotFound: also when the viewer may not see it, so existence is not revealed.
    """
    item = session.scalar(
        select(Item)
        .where(Item.id == item_id)
        .options(selectinload(Item.files).selectinload(FileVersion.pages), selectinload(Item.event))
    )
    if item is None or not can_view(viewer, item):
        raise NotFound("Diesen Eintrag gibt es nicht.", "This item does not exist.")
    return item


def recent_items(kb: Kb, viewer: Viewer, limit: int = 10) -> list[Item]:
    """The newest items the viewer may see (archived ones left out)."""
    with kb.db.reading() as session:
        rows = session.scalars(
            select(Item)
            .where(Item.state == "published")
            .order_by(Item.created_at.desc(), Item.id.desc())
            .limit(limit * 3)
            .options(selectinload(Item.files), selectinload(Item.event))
        ).all()
        return [item for item in rows if can_view(viewer, item)][:limit]


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    mime: str


def file_for_download(kb: Kb, item_id: int, file_id: int, viewer: Viewer) -> Download:
    """The stored file of a version, checked against the viewer's access.

    Downloads of anything not public are written to the audit log.
    """
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        fv = next((f for f in item.files if f.id == file_id), None)
        if fv is None or not kb.store.exists(fv.sha256):
            raise NotFound("Diese Datei gibt es nicht.", "This file does not exist.")
        found = Download(kb.store.path(fv.sha256), fv.filename, fv.mime)
        public = is_public(item)
    if not public:
        with kb.db.writing() as session:
            audit.record(session, "download", viewer, item_id, found.filename)
    return found


@dataclass(frozen=True)
class FileStatus:
    file_version_id: int
    item_id: int
    filename: str
    #: "reading" (text not yet read or not yet in the index), "searchable", "failed"
    state: str
    message_de: str
    message_en: str


def file_statuses(kb: Kb, file_ids: list[int], viewer: Viewer) -> list[FileStatus]:
    """Where each uploaded file stands, as the upload page shows it live."""
    from kb.services.indexing import last_log_id

    applied = kb.index.applied_id()
    out: list[FileStatus] = []
    with kb.db.reading() as session:
        for fv in session.scalars(select(FileVersion).where(FileVersion.id.in_(file_ids))):
            if not can_view(viewer, fv.item):
                continue
            indexed = applied >= last_log_id(session, fv.item_id)
            state = {"done": "searchable", "failed": "failed"}.get(fv.status, "reading")
            if state == "searchable" and not indexed:
                state = "reading"
            out.append(
                FileStatus(
                    fv.id,
                    fv.item_id,
                    fv.filename,
                    state,
                    fv.status_message_de,
                    fv.status_message_en,
                )
            )
    return out
