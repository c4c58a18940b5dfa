"""Lists of items for the API: filtered in SQL by their fields, by access in Python.

Access is decided by the one rule (:func:`kb.services.access.can_view` on each row), not
re-written as SQL, so the list can never disagree with the item page. Only the columns
the rule needs are compared for all candidates; the page's items are then loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.models import District, Event, FileVersion, Item, Topic
from kb.services.access import Viewer, can_view


@dataclass(frozen=True)
class ItemFilter:
    kind: str | None = None
    state: str | None = None
    access: str | None = None
    event: str | None = None
    district: str | None = None
    topic: str | None = None


def list_items(
    session: Session, viewer: Viewer, where: ItemFilter, page: int, per_page: int
) -> tuple[int, list[Item]]:
    """One page of the items ``viewer`` may see, newest first, and the total."""
    query = select(Item).where(Item.deleted_at.is_(None))
    for column, value in (
        (Item.kind, where.kind),
        (Item.state, where.state),
        (Item.access, where.access),
    ):
        if value:
            query = query.where(column == value)
    if where.event:
        query = query.join(Event, Event.id == Item.event_id).where(Event.slug == where.event)
    if where.district:
        query = query.where(Item.districts.any(District.ags == where.district))
    if where.topic:
        query = query.where(Item.topics.any(Topic.slug == where.topic))
    candidates = session.scalars(query.order_by(Item.id.desc())).all()
    visible = [item.id for item in candidates if can_view(viewer, item)]
    ids = visible[(page - 1) * per_page : page * per_page]
    if not ids:
        return len(visible), []
    loaded = {
        item.id: item
        for item in session.scalars(
            select(Item)
            .where(Item.id.in_(ids))
            .options(
                selectinload(Item.files).selectinload(FileVersion.pages),
                selectinload(Item.event),
                selectinload(Item.topics),
                selectinload(Item.districts),
                selectinload(Item.tags),
            )
        )
    }
    return len(visible), [loaded[i] for i in ids]
