"""The trash: deleted items wait here for ``KB_TRASH_DAYS`` (restorable), then go for good.

Deleting sets ``Item.deleted_at``; from then on :func:`kb.services.access.item_principals`
gives the item no principals, so no page, search, download, Mappe or API shows it, and
:mod:`kb.services.documents` gives it no index documents (the index-log entry written in
the same transaction drops it from the index). Purging removes the rows; a blob is removed
only when no file version of any item still references its hash (bytes are deduplicated),
checked under the blob lock right before the file goes (:mod:`kb.services.blobs`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.errors import Forbidden, NotFound
from kb.models import Item, User, utcnow
from kb.services import audit, blobs
from kb.services.access import SYSTEM, Viewer
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.items import load_item
from kb.services.versions import may_edit

logger = logging.getLogger(__name__)

DEFAULT_TRASH_DAYS = 30


def delete_item(kb: Kb, item_id: int, viewer: Viewer) -> None:
    """Move an item to the trash (whoever may edit it may delete it).

    :raises NotFound: the item does not exist, is already deleted or is hidden.
    :raises Forbidden: the viewer may see it but not edit it.
    """
    with kb.db.writing() as session:
        item = load_item(session, item_id, viewer)
        if not may_edit(session, viewer, item):
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht löschen.", "You may not delete this item."
            )
        item.deleted_at = utcnow()
        item.deleted_by_id = viewer.user_id
        audit.record(session, "deleted", viewer, item.id, item.title[:200])
        append_index_log(session, item.id)
    kb.job_signal.set()
    logger.info("Item %s moved to the trash by user %s", item_id, viewer.user_id)


def _require_editor(viewer: Viewer) -> None:
    if not viewer.is_editor:
        raise Forbidden(
            "Den Papierkorb sieht nur die Redaktion.", "Only editors may open the trash."
        )


def restore_item(kb: Kb, item_id: int, viewer: Viewer) -> None:
    """Take an item out of the trash (Redaktion); it is indexed again.

    :raises NotFound: the item is not in the trash.
    """
    _require_editor(viewer)
    with kb.db.writing() as session:
        item = session.get(Item, item_id)
        if item is None or item.deleted_at is None:
            raise NotFound(
                "Dieser Eintrag liegt nicht im Papierkorb.", "This item is not in the trash."
            )
        item.deleted_at = None
        item.deleted_by_id = None
        audit.record(session, "restored", viewer, item.id, item.title[:200])
        append_index_log(session, item.id)
    kb.job_signal.set()


@dataclass(frozen=True)
class TrashRow:
    id: int
    title: str
    kind: str
    deleted_at: dt.datetime
    deleted_by: str
    purge_on: dt.date


def trash_days(kb: Kb) -> int:
    return int(kb.config.get("KB_TRASH_DAYS") or DEFAULT_TRASH_DAYS)


def list_trash(kb: Kb, viewer: Viewer) -> list[TrashRow]:
    """Items in the trash, most recently deleted first, with the day they will be purged."""
    _require_editor(viewer)
    days = dt.timedelta(days=trash_days(kb))
    with kb.db.reading() as session:
        rows = session.execute(
            select(Item, User.display_name, User.username)
            .outerjoin(User, User.id == Item.deleted_by_id)
            .where(Item.deleted_at.is_not(None))
            .order_by(Item.deleted_at.desc(), Item.id.desc())
        ).all()
        return [
            TrashRow(
                item.id,
                item.title,
                item.kind,
                item.deleted_at,
                display or name or "System",
                (item.deleted_at + days).date(),
            )
            for item, display, name in rows
        ]


def purge_expired(kb: Kb, now: dt.datetime | None = None) -> int:
    """Delete items that have been in the trash longer than ``KB_TRASH_DAYS``.

    Their blobs go only if no remaining file version references the same bytes.
    :return: the number of items purged.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=trash_days(kb))
    with kb.db.writing() as session:
        items = session.scalars(
            select(Item)
            .where(Item.deleted_at.is_not(None), Item.deleted_at < cutoff)
            .options(selectinload(Item.files))
        ).all()
        hashes = {f.sha256 for item in items for f in item.files}
        for item in items:
            audit.record(session, "purged", SYSTEM, item.id, item.title[:200])
            append_index_log(session, item.id)  # harmless: it has no documents already
            session.delete(item)
        count = len(items)
    # After the rows are gone: references re-read under the blob lock, right before the
    # files go (an upload of the same bytes may have claimed them meanwhile).
    blobs.delete_unreferenced(kb, hashes)
    if count:
        kb.job_signal.set()
        logger.info("Purged %d items from the trash", count)
    return count
