"""Browsing by district, topic and organisation: what the viewer may see, newest first.

Every list here is read from the database with the same access rule as
everywhere else (:func:`kb.services.access.can_view` for items,
:func:`can_view_object` for events), so a draft's or an internal item's title
never reaches someone who may not read it. Lists are bounded; the full,
filterable list is the search page (``/search?district=15002``).

Organisations are created on first use from what people type on uploads, so
their names can come from a draft. An organisation is shown to a viewer only if
Redaktion gave it a kind or a district (the reference list does), or if
something the viewer may see names it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from kb.errors import NotFound
from kb.models import (
    District,
    Event,
    Item,
    Organisation,
    QAEntry,
    Topic,
    item_districts,
    item_topics,
)
from kb.services.access import Viewer, can_view, can_view_object
from kb.services.context import Kb

#: How many items a browse page lists before pointing at the search.
LIST_LIMIT = 20


@dataclass(frozen=True)
class ItemLine:
    id: int
    title: str
    kind: str
    date: str
    organisation: str


@dataclass(frozen=True)
class EventLine:
    slug: str
    title: str
    starts_on: str
    city: str


@dataclass
class DistrictPage:
    ags: str
    name: str
    kind: str
    state: str
    organisations: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    events: list[EventLine] = field(default_factory=list)
    items: list[ItemLine] = field(default_factory=list)
    more: bool = False


def _date(value: object) -> str:
    return value.strftime("%d.%m.%Y") if value else ""  # type: ignore[attr-defined]


def visible_items(
    session: Session, query: Select[tuple[Item]], viewer: Viewer, limit: int = LIST_LIMIT
) -> tuple[list[ItemLine], bool]:
    """The first ``limit`` items of ``query`` the viewer may see, and whether there are more.

    Rows are checked one by one against the database rule while streaming, so
    hidden items cost a check but never appear.
    """
    query = query.order_by(
        Item.date.desc().nulls_last(), Item.created_at.desc(), Item.id.desc()
    ).execution_options(yield_per=100)
    lines: list[ItemLine] = []
    # Closed explicitly: stopping early would leave PostgreSQL's server-side cursor open.
    with contextlib.closing(session.scalars(query)) as rows:
        for item in rows:
            if not can_view(viewer, item) or item.state == "archived":
                continue
            if len(lines) == limit:
                return lines, True
            lines.append(
                ItemLine(item.id, item.title, item.kind, _date(item.date), item.organisation)
            )
    return lines, False


def district_page(kb: Kb, ags: str, viewer: Viewer) -> DistrictPage:
    """The district, its coordinators' organisations, events it hosted, its materials.

    Materials are those tagged with the district and those of the events it hosted.

    :raises NotFound: no district has this key.
    """
    with kb.db.reading() as session:
        district = session.get(District, ags)
        if district is None:
            raise NotFound(
                "Einen Landkreis oder eine kreisfreie Stadt mit diesem Gebietsschlüssel gibt "
                "es hier nicht.",
                "There is no district with this key.",
            )
        page = DistrictPage(district.ags, district.name, district.kind, district.state)
        page.organisations = [
            (o.slug, o.name)
            for o in session.scalars(
                select(Organisation)
                .where(Organisation.district_ags == ags)
                .order_by(Organisation.name)
            )
        ]
        events = [
            e
            for e in session.scalars(
                select(Event)
                .where(Event.host_district_ags == ags)
                .order_by(Event.starts_on.desc().nulls_last(), Event.id.desc())
            )
            if can_view_object(viewer, e.access)
        ]
        page.events = [EventLine(e.slug, e.title, _date(e.starts_on), e.city) for e in events]
        page.items, page.more = visible_items(session, _district_items(ags, events), viewer)
        return page


def _district_items(ags: str, hosted: list[Event]) -> Select[tuple[Item]]:
    """Items tagged with the district, and the materials of the events it hosted.

    One query with ``IN`` subqueries (not joins), so an item that is both tagged and
    from a hosted event is listed once. Only events the viewer may see count: an
    internal event's materials would otherwise betray where it took place.
    """
    tagged = select(item_districts.c.item_id).where(item_districts.c.district_ags == ags)
    condition = Item.id.in_(tagged)
    if hosted:
        condition = or_(condition, Item.event_id.in_([e.id for e in hosted]))
    return select(Item).where(condition)


@dataclass
class TopicPage:
    slug: str
    name: str
    description: str
    items: list[ItemLine]
    more: bool


def topic_page(kb: Kb, slug: str, viewer: Viewer) -> TopicPage:
    """:raises NotFound: no topic has this slug."""
    with kb.db.reading() as session:
        topic = session.scalar(select(Topic).where(Topic.slug == slug))
        if topic is None:
            raise NotFound("Dieses Thema gibt es nicht.", "There is no such topic.")
        query = select(Item).join(item_topics).where(item_topics.c.topic_id == topic.id)
        items, more = visible_items(session, query, viewer)
        return TopicPage(topic.slug, topic.name, topic.description, items, more)


def _curated(organisation: Organisation) -> bool:
    """Given a kind or a district by the reference list or Redaktion (not just typed)."""
    return organisation.kind != "sonstige" or organisation.district_ags is not None


def _named_by_visible(session: Session, organisation_id: int, viewer: Viewer) -> bool:
    items = session.scalars(
        select(Item).where(
            or_(Item.organisation_id == organisation_id, Item.issuing_body_id == organisation_id)
        )
    )
    if any(can_view(viewer, i) for i in items):
        return True
    answers = session.scalars(
        select(QAEntry.access).where(QAEntry.answering_body_id == organisation_id)
    )
    return any(can_view_object(viewer, access) for access in answers)


def may_see_organisation(session: Session, organisation: Organisation, viewer: Viewer) -> bool:
    if viewer.is_editor or _curated(organisation):
        return True
    return _named_by_visible(session, organisation.id, viewer)


@dataclass(frozen=True)
class OrganisationLine:
    slug: str
    name: str
    short_name: str
    kind: str
    district: str


def organisations(kb: Kb, viewer: Viewer) -> list[OrganisationLine]:
    """Organisations the viewer may know of, by name."""
    with kb.db.reading() as session:
        rows = session.execute(
            select(Organisation, District.name)
            .outerjoin(District, District.ags == Organisation.district_ags)
            .order_by(func.lower(Organisation.name))
        )
        return [
            OrganisationLine(o.slug, o.name, o.short_name, o.kind, district or "")
            for o, district in rows
            if may_see_organisation(session, o, viewer)
        ]


@dataclass
class OrganisationPage:
    id: int
    slug: str
    name: str
    short_name: str
    kind: str
    description: str
    district: tuple[str, str] | None
    items: list[ItemLine]
    more: bool


def organisation_page(kb: Kb, slug: str, viewer: Viewer) -> OrganisationPage:
    """Talks and guidance from the organisation that the viewer may see.

    :raises NotFound: unknown, or only named by things the viewer may not see.
    """
    with kb.db.reading() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == slug))
        if org is None or not may_see_organisation(session, org, viewer):
            raise NotFound("Diese Organisation gibt es nicht.", "There is no such organisation.")
        query = select(Item).where(
            or_(Item.organisation_id == org.id, Item.issuing_body_id == org.id)
        )
        items, more = visible_items(session, query, viewer)
        district = session.get(District, org.district_ags) if org.district_ags else None
        return OrganisationPage(
            org.id,
            org.slug,
            org.name,
            org.short_name,
            org.kind,
            org.description,
            (district.ags, district.name) if district else None,
            items,
            more,
        )


def district_map(districts: Iterable[District]) -> tuple[list[District], int, int]:
    """The districts that have a tile, and the map's size in rows and columns."""
    tiles = [d for d in districts if d.map_row is not None and d.map_col is not None]
    rows = max((d.map_row or 0 for d in tiles), default=-1) + 1
    cols = max((d.map_col or 0 for d in tiles), default=-1) + 1
    return tiles, rows, cols
