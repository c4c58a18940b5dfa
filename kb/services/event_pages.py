"""The read side of events: the event page, the timeline and the series page, as plain data.

Templates get these frozen dataclasses, never ORM objects. Every item is
checked with :func:`kb.services.access.can_view` for the viewer: an item the
viewer may not see is left out entirely (not even counted), and a programme
entry whose talk is hidden shows only the entry's own time, title and speakers,
which are part of the event, not of the item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.errors import NotFound
from kb.models import KINDS, UNITS, AgendaEntry, Event, EventSeries, FileVersion, Item
from kb.services.access import Viewer, can_view, can_view_object
from kb.services.alt_text import alt_for
from kb.services.context import Kb
from kb.services.events import load_event

#: The slide/page lines shown under a talk in the programme ("slides and summary").
MAX_OUTLINE_PAGES = 30
OUTLINE_LINE_CHARS = 140


@dataclass(frozen=True)
class OutlineLine:
    number: int
    label: str  # "Folie 3"
    text: str  # the first line of the slide/page


@dataclass(frozen=True)
class FileView:
    id: int
    filename: str
    size: int
    page_count: int
    unit_label: str  # "Folie"
    count_label: str  # "12 Folien"
    mime: str
    outline: list[OutlineLine]
    #: Pages/slides beyond the outline (named, not shown).
    more_pages: int


@dataclass(frozen=True)
class ItemView:
    id: int
    title: str
    kind_label: str
    summary: str
    speakers: str
    files: list[FileView]
    kind: str = ""


@dataclass(frozen=True)
class SpeakerView:
    name: str
    organisation: str


@dataclass(frozen=True)
class ProgrammeEntry:
    time: str  # "10:30–11:15", "10:30" or ""
    starts_at: str
    ends_at: str
    title: str
    speakers: list[SpeakerView]
    note: str
    item: ItemView | None


@dataclass(frozen=True)
class Photo:
    item_id: int
    file_id: int
    title: str
    #: The ``alt`` of the image: its alternative text, else the title.
    alt: str = ""


@dataclass(frozen=True)
class EventSummary:
    slug: str
    title: str
    number: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    city: str
    host_district: str
    access: str


@dataclass(frozen=True)
class EventPage:
    slug: str
    title: str
    access: str
    series_slug: str | None
    series_title: str | None
    number: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    city: str
    venue: str
    host_district_ags: str | None
    host_district_name: str | None
    description: str
    upcoming: bool
    programme: list[ProgrammeEntry]
    #: Materials of the event the viewer may see that no programme entry shows.
    materials: list[ItemView]
    photos: list[Photo]
    #: Every item of the event the viewer may see (for the programme form's select).
    all_items: list[ItemView] = field(default_factory=list)
    id: int = 0

    @property
    def has_files(self) -> bool:
        shown = [e.item for e in self.programme if e.item] + self.materials
        return any(i.files for i in shown) or bool(self.photos)


@dataclass(frozen=True)
class YearGroup:
    year: int | None
    events: list[EventSummary]


@dataclass(frozen=True)
class SeriesView:
    slug: str | None  # None: events outside any series
    title: str
    description: str
    years: list[YearGroup]


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= OUTLINE_LINE_CHARS else line[: OUTLINE_LINE_CHARS - 1] + "…"
    return ""


_PLURALS = {"Seite": "Seiten", "Folie": "Folien", "Abschnitt": "Abschnitte", "Tabelle": "Tabellen"}


def _file_view(fv: FileVersion) -> FileView:
    unit = UNITS.get(fv.page_unit, "Seite")
    count = f"{fv.page_count} {unit if fv.page_count == 1 else _PLURALS.get(unit, unit)}"
    outline = [
        OutlineLine(p.number, f"{unit} {p.number}", _first_line(p.text))
        for p in fv.pages[:MAX_OUTLINE_PAGES]
        if p.text.strip()
    ]
    more = max(0, len(fv.pages) - MAX_OUTLINE_PAGES)
    return FileView(fv.id, fv.filename, fv.size, fv.page_count, unit, count, fv.mime, outline, more)


def item_view(item: Item) -> ItemView:
    return ItemView(
        item.id,
        item.title,
        KINDS.get(item.kind, item.kind),
        item.summary,
        item.speakers,
        [_file_view(f) for f in item.files if f.is_current],
        item.kind,
    )


def is_photo(item: Item) -> bool:
    current = [f for f in item.files if f.is_current]
    return bool(current) and all(f.mime.startswith("image/") for f in current)


def visible_items(session: Session, event_id: int, viewer: Viewer) -> list[Item]:
    """The event's items the viewer may see, by date, then title (files and pages loaded)."""
    rows = session.scalars(
        select(Item)
        .where(Item.event_id == event_id)
        .order_by(Item.date.nulls_last(), Item.title, Item.id)
        .options(selectinload(Item.files).selectinload(FileVersion.pages))
    )
    return [item for item in rows if can_view(viewer, item)]


def agenda_entries(session: Session, event_id: int) -> list[AgendaEntry]:
    return list(
        session.scalars(
            select(AgendaEntry)
            .where(AgendaEntry.event_id == event_id)
            .order_by(AgendaEntry.position, AgendaEntry.id)
        )
    )


def _time(entry: AgendaEntry) -> str:
    if entry.starts_at and entry.ends_at:
        return f"{entry.starts_at}–{entry.ends_at}"
    return entry.starts_at


def _programme(entries: list[AgendaEntry], views: dict[int, ItemView]) -> list[ProgrammeEntry]:
    return [
        ProgrammeEntry(
            _time(e),
            e.starts_at,
            e.ends_at,
            e.title,
            [
                SpeakerView(p.name, p.organisation.name if p.organisation else "")
                for p in e.speakers
            ],
            e.note,
            views.get(e.item_id) if e.item_id is not None else None,
        )
        for e in entries
    ]


def event_page(kb: Kb, slug: str, viewer: Viewer, today: dt.date) -> EventPage:
    """Everything the event page shows, for this viewer.

    :raises NotFound: no such event, or an internal one the viewer may not see.
    """
    with kb.db.reading() as session:
        event = load_event(session, slug, viewer)
        items = visible_items(session, event.id, viewer)
        views = {i.id: item_view(i) for i in items}
        entries = agenda_entries(session, event.id)
        linked = {e.item_id for e in entries if e.item_id is not None}
        photos = [
            Photo(i.id, f.id, i.title, alt_for(f, i))
            for i in items
            if is_photo(i)
            for f in i.files
            if f.is_current
        ]
        district = event.host_district
        return EventPage(
            slug=event.slug,
            title=event.title,
            access=event.access,
            series_slug=event.series.slug if event.series else None,
            series_title=event.series.title if event.series else None,
            number=event.number,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            city=event.city,
            venue=event.venue,
            host_district_ags=event.host_district_ags,
            host_district_name=district.name if district else None,
            description=event.description,
            upcoming=event.starts_on is not None and event.starts_on > today,
            programme=_programme(entries, views),
            materials=[views[i.id] for i in items if i.id not in linked and not is_photo(i)],
            photos=photos,
            all_items=list(views.values()),
            id=event.id,
        )


def _summary(event: Event) -> EventSummary:
    return EventSummary(
        event.slug,
        event.title,
        event.number,
        event.starts_on,
        event.ends_on,
        event.city,
        event.host_district.name if event.host_district else "",
        event.access,
    )


def _by_year(events: list[Event]) -> list[YearGroup]:
    groups: dict[int | None, list[EventSummary]] = {}
    for event in events:
        year = event.starts_on.year if event.starts_on else None
        groups.setdefault(year, []).append(_summary(event))
    return [YearGroup(year, groups[year]) for year in groups]


def _events_newest_first(session: Session, viewer: Viewer, *where) -> list[Event]:  # type: ignore[no-untyped-def]
    query = (
        select(Event)
        .where(*where)
        .order_by(Event.starts_on.desc().nulls_last(), Event.number.desc(), Event.id.desc())
        .options(selectinload(Event.host_district))
    )
    return [e for e in session.scalars(query) if can_view_object(viewer, e.access)]


def timeline(kb: Kb, viewer: Viewer) -> list[SeriesView]:
    """Series (by title) with their visible events grouped by year, newest first.

    Events outside any series come last as "Weitere Veranstaltungen". A series
    none of whose events the viewer may see is still listed (series are not secret).
    """
    with kb.db.reading() as session:
        out = []
        for series in session.scalars(select(EventSeries).order_by(EventSeries.title)):
            events = _events_newest_first(session, viewer, Event.series_id == series.id)
            out.append(SeriesView(series.slug, series.title, series.description, _by_year(events)))
        loose = _events_newest_first(session, viewer, Event.series_id.is_(None))
        if loose:
            out.append(SeriesView(None, "Weitere Veranstaltungen", "", _by_year(loose)))
        return out


def series_page(kb: Kb, slug: str, viewer: Viewer) -> SeriesView:
    with kb.db.reading() as session:
        series = session.scalar(select(EventSeries).where(EventSeries.slug == slug))
        if series is None:
            raise NotFound("Diese Reihe gibt es nicht.", "This series does not exist.")
        events = _events_newest_first(session, viewer, Event.series_id == series.id)
        return SeriesView(series.slug, series.title, series.description, _by_year(events))


def next_events(kb: Kb, viewer: Viewer, today: dt.date, limit: int = 2) -> list[EventSummary]:
    """The next events the viewer may see, soonest first (the home page's "Nächste …")."""
    with kb.db.reading() as session:
        query = (
            select(Event)
            .where(Event.starts_on >= today)
            .order_by(Event.starts_on, Event.id)
            .options(selectinload(Event.host_district))
        )
        found = [e for e in session.scalars(query) if can_view_object(viewer, e.access)]
        return [_summary(e) for e in found[:limit]]
