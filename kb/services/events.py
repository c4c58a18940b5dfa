"""Workshop series and events: create, change and delete them (Redaktion and Admin only).

Reading (event page, timeline, series page) lives in :mod:`kb.services.event_pages`,
the programme in :mod:`kb.services.agenda`, the materials ZIP in
:mod:`kb.services.event_materials`.

An event's slug is made once, when it is created, and never changes: links to
``/events/<slug>`` in mails and minutes keep working after a rename.

Index: every item's index documents carry its event's title (and series, number,
dates, host district are facets of the event's own document), so a change to any
of those appends index-log entries for the event and for each of its items.

Deleting an event that still has materials is refused unless the caller asks to
detach them. Detaching sets ``event_id`` to NULL; an item that was shared only
with the event's participants (``participants_only``) loses the group it was
shared with; it goes back to Entwurf (internal), so only its owner and the Redaktion
see it until someone decides anew whom the speaker's consent allows — never more
readers than the consent named (a workflow step records why). The participant group
itself (``event_participants``), the programme and the event's deadlines go with
the event; Q&A entries stay and lose their event. All of it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kb.errors import Conflict, Forbidden, NotFound, ValidationError
from kb.models import (
    ACCESS,
    AgendaEntry,
    Deadline,
    Event,
    EventParticipant,
    EventSeries,
    Item,
    QAEntry,
    WorkflowStep,
)
from kb.services import audit
from kb.services.access import Viewer, can_view_object
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.reference import districts_by_ags, slugify

logger = logging.getLogger(__name__)

#: Path words under /events/ and /series/ that a slug must never take.
RESERVED_SLUGS = frozenset({"new", "neu"})


@dataclass
class EventData:
    """What the event form and ``kb events add`` send.

    ``series_slug`` names an existing series; ``new_series_title`` creates one (it
    wins when both are given, as the form's "Neue Reihe" field is the explicit choice).
    """

    title: str
    starts_on: dt.date | None
    series_slug: str | None = None
    new_series_title: str = ""
    number: int | None = None
    ends_on: dt.date | None = None
    city: str = ""
    venue: str = ""
    host_district_ags: str | None = None
    description: str = ""
    access: str = "public"


@dataclass
class SeriesData:
    title: str
    description: str = ""


def require_editor(viewer: Viewer) -> None:
    """Events, series and programmes are changed by the Redaktion (and Admin) only."""
    if not viewer.is_editor:
        raise Forbidden(
            "Veranstaltungen ändern nur Redaktion und Verwaltung.",
            "Only editors may change events.",
        )


def load_event(session: Session, slug: str, viewer: Viewer) -> Event:
    """The event, if the viewer may see it (else NotFound, so existence is not revealed)."""
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not can_view_object(viewer, event.access):
        raise NotFound("Diese Veranstaltung gibt es nicht.", "This event does not exist.")
    return event


# -- series ---------------------------------------------------------------------------------


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def _unique_slug(session: Session, model: type[Event] | type[EventSeries], base: str) -> str:
    base = slugify(base)[:70].rstrip("-") or "veranstaltung"
    if base in RESERVED_SLUGS:
        base += "-1"
    slug, n = base, 1
    while session.scalar(select(model.id).where(model.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _series_title(session: Session, title: str, own_id: int | None = None) -> str:
    title = _clean(title, 200)
    if not title:
        raise ValidationError(
            "Bitte geben Sie der Reihe einen Titel.", "Please give the series a title."
        )
    twin = session.scalar(select(EventSeries).where(func.lower(EventSeries.title) == title.lower()))
    if twin is not None and twin.id != own_id:
        raise ValidationError(
            f"Eine Reihe „{twin.title}“ gibt es schon.", f"A series '{twin.title}' already exists."
        )
    return title


def _new_series(session: Session, data: SeriesData) -> EventSeries:
    title = _series_title(session, data.title)
    series = EventSeries(
        slug=_unique_slug(session, EventSeries, title),
        title=title,
        description=data.description.strip()[:20000],
    )
    session.add(series)
    session.flush()
    return series


def create_series(kb: Kb, data: SeriesData, viewer: Viewer) -> str:
    """A new series; returns its slug."""
    require_editor(viewer)
    with kb.db.writing() as session:
        return _new_series(session, data).slug


def update_series(kb: Kb, slug: str, data: SeriesData, viewer: Viewer) -> None:
    """Rename or describe a series; its events and their items are re-indexed (series facet)."""
    require_editor(viewer)
    with kb.db.writing() as session:
        series = session.scalar(select(EventSeries).where(EventSeries.slug == slug))
        if series is None:
            raise NotFound("Diese Reihe gibt es nicht.", "This series does not exist.")
        title = _series_title(session, data.title, own_id=series.id)
        renamed = title != series.title
        series.title, series.description = title, data.description.strip()[:20000]
        if renamed:
            for event in session.scalars(select(Event).where(Event.series_id == series.id)):
                _reindex_event_and_items(session, event.id)
    kb.job_signal.set()


def series_by_text(kb: Kb, text: str) -> str | None:
    """The slug of the series whose slug or title is ``text`` (for the CLI), else None."""
    text = _clean(text, 200)
    with kb.db.reading() as session:
        found = session.scalar(
            select(EventSeries.slug).where(
                (EventSeries.slug == text) | (func.lower(EventSeries.title) == text.lower())
            )
        )
        return found


def all_series(kb: Kb) -> list[tuple[str, str]]:
    """(slug, title) of every series, by title (for the form's select)."""
    with kb.db.reading() as session:
        rows = session.execute(select(EventSeries.slug, EventSeries.title).order_by("title"))
        return [(slug, title) for slug, title in rows]


# -- events ---------------------------------------------------------------------------------


def _validate(session: Session, data: EventData, own_id: int | None) -> EventSeries | None:
    """Check the form; return the series (existing, or None). Messages name the fault."""
    if not _clean(data.title, 300):
        raise ValidationError(
            "Bitte geben Sie der Veranstaltung einen Titel.", "Please give the event a title."
        )
    if data.starts_on is None:
        raise ValidationError(
            "Bitte geben Sie das Datum des Beginns an.", "Please give the start date."
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ValidationError("Das Ende liegt vor dem Beginn.", "The end is before the start.")
    if data.access not in ACCESS:
        raise ValidationError("Unbekannte Zugriffsstufe.", "Unknown access level.")
    if data.number is not None and not 1 <= data.number <= 9999:
        raise ValidationError(
            "Die Nummer in der Reihe muss eine ganze Zahl von 1 bis 9999 sein.",
            "The number in the series must be a whole number from 1 to 9999.",
        )
    if data.host_district_ags:
        districts_by_ags(session, [data.host_district_ags])
    series = None
    if not _clean(data.new_series_title, 200) and data.series_slug:
        series = session.scalar(select(EventSeries).where(EventSeries.slug == data.series_slug))
        if series is None:
            raise ValidationError(
                f"Die Reihe „{data.series_slug}“ gibt es nicht.",
                f"There is no series '{data.series_slug}'.",
            )
    if data.number is not None and series is not None:
        _check_number_free(session, series, data.number, own_id)
    if data.number is not None and series is None and not _clean(data.new_series_title, 200):
        raise ValidationError(
            "Eine Nummer gibt es nur innerhalb einer Reihe. Bitte wählen Sie eine Reihe.",
            "A number exists only within a series. Please choose a series.",
        )
    return series


def _check_number_free(
    session: Session, series: EventSeries, number: int, own_id: int | None
) -> None:
    twin = session.scalar(
        select(Event.id).where(Event.series_id == series.id, Event.number == number)
    )
    if twin is not None and twin != own_id:
        raise ValidationError(
            f"In der Reihe „{series.title}“ gibt es schon die {number}. Veranstaltung.",
            f"The series '{series.title}' already has an event number {number}.",
        )


def _apply(session: Session, event: Event, data: EventData, series: EventSeries | None) -> None:
    if _clean(data.new_series_title, 200):
        series = _new_series(session, SeriesData(data.new_series_title))
    event.series = series
    event.number = data.number
    event.title = _clean(data.title, 300)
    event.starts_on, event.ends_on = data.starts_on, data.ends_on
    event.city = _clean(data.city, 120)
    event.venue = _clean(data.venue, 300)
    event.host_district_ags = (data.host_district_ags or "").strip() or None
    event.description = data.description.strip()[:20000]
    event.access = data.access


def _slug_base(data: EventData, series: EventSeries | None) -> str:
    """ "ikoe-ideenwerkstatt-13" for a numbered event of a series, else title and year."""
    if data.number is not None and (series or _clean(data.new_series_title, 200)):
        return f"{series.slug if series else slugify(data.new_series_title)}-{data.number}"
    year = data.starts_on.year if data.starts_on else ""
    return f"{data.title}-{year}"


def create_event(kb: Kb, data: EventData, viewer: Viewer) -> str:
    """A new event; returns its slug (stable from now on)."""
    require_editor(viewer)
    with kb.db.writing() as session:
        series = _validate(session, data, own_id=None)
        event = Event(slug=_unique_slug(session, Event, _slug_base(data, series)), title="")
        _apply(session, event, data, series)
        session.add(event)
        session.flush()
        audit.record(session, "event_created", viewer, detail=event.slug)
        append_index_log(session, event.id, "event")
        slug = event.slug
    kb.job_signal.set()
    logger.info("Event %s created", slug)
    return slug


#: Event fields that stand in its items' index documents (or the event's facets).
_INDEXED = ("series_id", "number", "title", "starts_on", "ends_on", "host_district_ags", "access")


def update_event(kb: Kb, slug: str, data: EventData, viewer: Viewer) -> None:
    """Change an event; re-index it, and its items when a field they carry changed."""
    require_editor(viewer)
    with kb.db.writing() as session:
        event = load_event(session, slug, viewer)
        series = _validate(session, data, own_id=event.id)
        before = {name: getattr(event, name) for name in _INDEXED}
        _apply(session, event, data, series)
        session.flush()
        changed = [name for name in _INDEXED if getattr(event, name) != before[name]]
        if changed:
            _reindex_event_and_items(session, event.id)
        else:
            append_index_log(session, event.id, "event")  # venue, description
        audit.record(session, "event_edited", viewer, detail=event.slug)
    kb.job_signal.set()


def _reindex_event_and_items(session: Session, event_id: int) -> None:
    append_index_log(session, event_id, "event")
    for item_id in session.scalars(select(Item.id).where(Item.event_id == event_id)):
        append_index_log(session, item_id)


@dataclass(frozen=True)
class DeletePreview:
    """What deleting the event would touch (for the confirmation page)."""

    slug: str
    title: str
    materials: int
    participants_only: int
    agenda_entries: int
    deadlines: int
    participants: int


def delete_preview(kb: Kb, slug: str, viewer: Viewer) -> DeletePreview:
    require_editor(viewer)
    with kb.db.reading() as session:
        event = load_event(session, slug, viewer)
        return DeletePreview(
            event.slug,
            event.title,
            _count(session, Item.id, Item.event_id == event.id),
            _count(session, Item.id, Item.event_id == event.id, Item.participants_only.is_(True)),
            _count(session, AgendaEntry.id, AgendaEntry.event_id == event.id),
            _count(session, Deadline.id, Deadline.event_id == event.id),
            _count(session, EventParticipant.user_id, EventParticipant.event_id == event.id),
        )


def _count(session: Session, column, *where) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count(column)).where(*where)) or 0)


def _withdraw_shared(session: Session, item: Item, viewer: Viewer) -> None:
    """A deck shared only with the participants: back to Entwurf, as nobody else consented."""
    if item.state != "draft":
        session.add(
            WorkflowStep(
                item_id=item.id,
                user_id=viewer.user_id,
                from_state=item.state,
                to_state="draft",
                comment="Veranstaltung gelöscht: die Freigabe nur für Teilnehmende entfällt.",
            )
        )
    item.participants_only, item.access, item.state = False, "internal", "draft"


def delete_event(kb: Kb, slug: str, viewer: Viewer, detach_materials: bool = False) -> int:
    """Delete an event with its programme, deadlines and participant group; return detached count.

    :raises Conflict: the event still has materials and ``detach_materials`` is False
        (a ValidationError; the API answers 409).
    """
    require_editor(viewer)
    with kb.db.writing() as session:
        event = load_event(session, slug, viewer)
        items = list(session.scalars(select(Item).where(Item.event_id == event.id)))
        if items and not detach_materials:
            raise Conflict(
                f"Die Veranstaltung hat noch {_materials(len(items))}. Lösen Sie sie beim "
                "Löschen von der Veranstaltung (sie bleiben erhalten) oder ordnen Sie sie "
                "vorher einer anderen Veranstaltung zu.",
                f"The event still has {len(items)} material(s). Detach them when deleting "
                "(they are kept) or move them to another event first.",
            )
        for item in items:
            item.event_id = None
            if item.participants_only:
                _withdraw_shared(session, item, viewer)
            append_index_log(session, item.id)
        for qa_id in session.scalars(select(QAEntry.id).where(QAEntry.event_id == event.id)):
            append_index_log(session, qa_id, "qa")
        session.execute(update(QAEntry).where(QAEntry.event_id == event.id).values(event_id=None))
        session.execute(delete(AgendaEntry).where(AgendaEntry.event_id == event.id))
        session.execute(delete(Deadline).where(Deadline.event_id == event.id))
        session.execute(delete(EventParticipant).where(EventParticipant.event_id == event.id))
        append_index_log(session, event.id, "event")
        audit.record(session, "event_deleted", viewer, detail=f"{event.slug} ({len(items)} gelöst)")
        session.delete(event)
    kb.job_signal.set()
    logger.info("Event %s deleted, %d item(s) detached", slug, len(items))
    return len(items)


def _materials(n: int) -> str:
    return "1 Material" if n == 1 else f"{n} Materialien"
