"""Lists of series and events with filters and paging (the API's ``/series`` and ``/events``).

The event page, the timeline and the series page live in :mod:`kb.services.event_pages`;
this module answers "which events, filtered, page N" for scripts. Filters run in SQL,
access runs per row with :func:`kb.services.access.can_view_object` (the one rule, not a
SQL copy of it) before the page is cut, so totals are exact for the viewer — as for items
(:mod:`kb.services.listing`).

"Upcoming" means not yet over on ``today``: the last day (``ends_on``, else ``starts_on``)
is today or later. Upcoming events come soonest first; all others newest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import extract, func, select
from sqlalchemy.orm import selectinload

from kb.errors import NotFound
from kb.models import Event, EventSeries
from kb.services.access import Viewer, can_view_object
from kb.services.context import Kb


@dataclass(frozen=True)
class EventFilter:
    series: str | None = None
    year: int | None = None
    district: str | None = None
    #: True: not yet over; False: over; None: both.
    upcoming: bool | None = None


@dataclass(frozen=True)
class EventRow:
    """One event of a list, as plain data."""

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
    upcoming: bool


@dataclass(frozen=True)
class SeriesRow:
    slug: str
    title: str
    description: str
    #: Events of the series the viewer may see (internal ones are not counted for others).
    events: int


def _last_day(event: Event) -> dt.date | None:
    return event.ends_on or event.starts_on


def _row(event: Event, today: dt.date) -> EventRow:
    last = _last_day(event)
    return EventRow(
        event.slug,
        event.title,
        event.access,
        event.series.slug if event.series else None,
        event.series.title if event.series else None,
        event.number,
        event.starts_on,
        event.ends_on,
        event.city,
        event.venue,
        event.host_district_ags,
        event.host_district.name if event.host_district else None,
        last is not None and last >= today,
    )


def list_events(
    kb: Kb, viewer: Viewer, where: EventFilter, page: int, per_page: int, today: dt.date
) -> tuple[int, list[EventRow]]:
    """(total the viewer may see, the rows of page ``page``)."""
    last_day = func.coalesce(Event.ends_on, Event.starts_on)
    query = select(Event).options(selectinload(Event.series), selectinload(Event.host_district))
    if where.series:
        query = query.join(EventSeries, Event.series_id == EventSeries.id).where(
            EventSeries.slug == where.series
        )
    if where.year is not None:
        query = query.where(extract("year", Event.starts_on) == where.year)
    if where.district:
        query = query.where(Event.host_district_ags == where.district)
    if where.upcoming is True:
        query = query.where(last_day >= today).order_by(Event.starts_on, Event.id)
    else:
        if where.upcoming is False:
            query = query.where(last_day < today)
        query = query.order_by(Event.starts_on.desc().nulls_last(), Event.id.desc())
    with kb.db.reading() as session:
        visible = [e for e in session.scalars(query) if can_view_object(viewer, e.access)]
        start = (page - 1) * per_page
        return len(visible), [_row(e, today) for e in visible[start : start + per_page]]


def list_series(kb: Kb, viewer: Viewer) -> list[SeriesRow]:
    """Every series by title (series are not secret), with the number of visible events."""
    with kb.db.reading() as session:
        out = []
        for series in session.scalars(select(EventSeries).order_by(EventSeries.title)):
            accesses = session.scalars(select(Event.access).where(Event.series_id == series.id))
            count = sum(1 for access in accesses if can_view_object(viewer, access))
            out.append(SeriesRow(series.slug, series.title, series.description, count))
        return out


def series_events(
    kb: Kb, slug: str, viewer: Viewer, today: dt.date
) -> tuple[SeriesRow, list[EventRow]]:
    """One series and its visible events, newest first.

    :raises NotFound: no series with this slug.
    """
    with kb.db.reading() as session:
        series = session.scalar(select(EventSeries).where(EventSeries.slug == slug))
        if series is None:
            raise NotFound("Diese Reihe gibt es nicht.", "This series does not exist.")
        query = (
            select(Event)
            .where(Event.series_id == series.id)
            .order_by(Event.starts_on.desc().nulls_last(), Event.number.desc(), Event.id.desc())
            .options(selectinload(Event.host_district))
        )
        rows = [_row(e, today) for e in session.scalars(query) if can_view_object(viewer, e.access)]
        return SeriesRow(series.slug, series.title, series.description, len(rows)), rows
