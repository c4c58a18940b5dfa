"""Questions and answers from the rounds with the funding bodies (Q&A entries).

A question asked at a workshop ("Was ändert sich ab nächstem Jahr im Antrag?")
and the funding body's answer, linked to the guidance sheets it concerns; the
guidance page lists them as its FAQ. Only Redaktion records them. An entry has
its own access level (public or internal), like an event; a linked guidance
sheet is named to a reader only if the reader may see that sheet too.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kb.errors import Forbidden, NotFound, Unauthorized, ValidationError
from kb.models import ACCESS, Event, Item, QAEntry, qa_guidance
from kb.services import audit
from kb.services.access import Viewer, can_view, can_view_object
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.people import organisation_by_name

logger = logging.getLogger(__name__)


@dataclass
class QAData:
    """What the Q&A form sets."""

    question: str
    answer: str = ""
    #: The answering body's name or short name (created as an organisation on first use).
    answering_body: str = ""
    asked_on: dt.date | None = None
    event_slug: str | None = None
    access: str = "internal"
    guidance_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class QARow:
    """A Q&A entry as a reader may see it."""

    id: int
    question: str
    answer: str
    answering_body: str
    asked_on: dt.date | None
    access: str
    event_slug: str = ""
    event_title: str = ""
    #: (id, title) of the linked guidance the reader may see.
    guidance: list[tuple[int, str]] = field(default_factory=list)


def require_editor(viewer: Viewer) -> None:
    """:raises Unauthorized / Forbidden: anonymous visitors sign in; only Redaktion goes on."""
    if viewer.is_editor:  # also the console (SYSTEM)
        return
    if viewer.is_anonymous:
        raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
    raise Forbidden("Fragen und Antworten pflegt die Redaktion.", "Only editors record questions.")


def _event_id(session: Session, slug: str | None) -> int | None:
    if not slug or not slug.strip():
        return None
    event_id = session.scalar(select(Event.id).where(Event.slug == slug.strip()))
    if event_id is None:
        raise ValidationError(
            f"Die Veranstaltung „{slug.strip()[:80]}“ gibt es nicht.",
            f"There is no event '{slug.strip()[:80]}'.",
        )
    return event_id


def _guidance_ids(session: Session, ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(wanted)))}
    for item_id in wanted:
        item = found.get(item_id)
        if item is None:
            raise ValidationError(
                f"Einen Leitfaden Nr. {item_id} gibt es nicht.", f"There is no item {item_id}."
            )
        if item.kind != "leitfaden":
            raise ValidationError(
                f"„{item.title}“ ist kein Leitfaden; Fragen werden Leitfäden zugeordnet.",
                f"'{item.title}' is not guidance.",
            )
    return wanted


def _apply(session: Session, entry: QAEntry, data: QAData) -> list[int]:
    """Validate ``data`` and write it to ``entry``; returns the guidance ids."""
    if not data.question.strip():
        raise ValidationError("Bitte geben Sie die Frage ein.", "Please enter the question.")
    if data.access not in ACCESS:
        raise ValidationError(
            f"Unbekannter Zugriff: „{data.access[:20]}“.", f"Unknown access '{data.access[:20]}'."
        )
    event_id = _event_id(session, data.event_slug)
    guidance_ids = _guidance_ids(session, data.guidance_ids)
    entry.question = data.question.strip()[:10_000]
    entry.answer = data.answer.strip()[:50_000]
    entry.answering_body = organisation_by_name(session, data.answering_body)
    entry.asked_on, entry.event_id, entry.access = data.asked_on, event_id, data.access
    return guidance_ids


def _link(session: Session, qa_id: int, guidance_ids: list[int]) -> None:
    session.execute(delete(qa_guidance).where(qa_guidance.c.qa_id == qa_id))
    for item_id in guidance_ids:
        session.execute(insert(qa_guidance).values(qa_id=qa_id, item_id=item_id))


def create(kb: Kb, data: QAData, viewer: Viewer) -> int:
    """Record a Q&A entry (Redaktion); returns its id."""
    require_editor(viewer)
    with kb.db.writing() as session:
        entry = QAEntry(question="")
        guidance_ids = _apply(session, entry, data)
        session.add(entry)
        session.flush()
        _link(session, entry.id, guidance_ids)
        append_index_log(session, entry.id, "qa")
        audit.record(session, "qa_created", viewer, detail=f"Q&A {entry.id}")
        qa_id = entry.id
    kb.job_signal.set()
    return qa_id


def _entry(session: Session, qa_id: int) -> QAEntry:
    entry = session.get(QAEntry, qa_id)
    if entry is None:
        raise NotFound("Diesen Eintrag gibt es nicht.", "This entry does not exist.")
    return entry


def update(kb: Kb, qa_id: int, data: QAData, viewer: Viewer) -> None:
    require_editor(viewer)
    with kb.db.writing() as session:
        entry = _entry(session, qa_id)
        _link(session, entry.id, _apply(session, entry, data))
        append_index_log(session, entry.id, "qa")
        audit.record(session, "qa_changed", viewer, detail=f"Q&A {qa_id}")
    kb.job_signal.set()


def remove(kb: Kb, qa_id: int, viewer: Viewer) -> list[int]:
    """Delete an entry; returns the guidance ids it was linked to (to go back to one)."""
    require_editor(viewer)
    with kb.db.writing() as session:
        entry = _entry(session, qa_id)
        linked = _linked_ids(session, qa_id)
        session.execute(delete(qa_guidance).where(qa_guidance.c.qa_id == qa_id))
        session.delete(entry)
        append_index_log(session, qa_id, "qa")  # the indexer drops the entry's document
        audit.record(session, "qa_deleted", viewer, detail=f"Q&A {qa_id}")
    kb.job_signal.set()
    return linked


def _linked_ids(session: Session, qa_id: int) -> list[int]:
    return list(
        session.scalars(
            select(qa_guidance.c.item_id)
            .where(qa_guidance.c.qa_id == qa_id)
            .order_by(qa_guidance.c.item_id)
        )
    )


def form_data(kb: Kb, qa_id: int, viewer: Viewer) -> QAData:
    """An entry as the edit form shows it (Redaktion)."""
    require_editor(viewer)
    with kb.db.reading() as session:
        entry = _entry(session, qa_id)
        event = session.get(Event, entry.event_id) if entry.event_id else None
        return QAData(
            question=entry.question,
            answer=entry.answer,
            answering_body=entry.answering_body.name if entry.answering_body else "",
            asked_on=entry.asked_on,
            event_slug=event.slug if event else None,
            access=entry.access,
            guidance_ids=_linked_ids(session, qa_id),
        )


def _row(session: Session, entry: QAEntry, viewer: Viewer) -> QARow:
    event = session.get(Event, entry.event_id) if entry.event_id else None
    if event is not None and not can_view_object(viewer, event.access):
        event = None
    guidance = []
    for item_id in _linked_ids(session, entry.id):
        item = session.get(Item, item_id)
        if item is not None and can_view(viewer, item):
            guidance.append((item.id, item.title))
    return QARow(
        entry.id,
        entry.question,
        entry.answer,
        entry.answering_body.name if entry.answering_body else "",
        entry.asked_on,
        entry.access,
        event.slug if event else "",
        event.title if event else "",
        guidance,
    )


def _rows(session: Session, query, viewer: Viewer) -> list[QARow]:  # type: ignore[no-untyped-def]
    entries = session.scalars(query.order_by(QAEntry.asked_on.desc().nulls_last(), QAEntry.id))
    return [_row(session, e, viewer) for e in entries if can_view_object(viewer, e.access)]


def faq_rows(session: Session, item_id: int, viewer: Viewer) -> list[QARow]:
    """The FAQ of a guidance item the caller has checked the viewer may see."""
    query = select(QAEntry).join(qa_guidance, qa_guidance.c.qa_id == QAEntry.id)
    return _rows(session, query.where(qa_guidance.c.item_id == item_id), viewer)


def for_item(kb: Kb, item_id: int, viewer: Viewer) -> list[QARow]:
    """The FAQ of a guidance item (empty if the viewer may not see the item)."""
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        if item is None or not can_view(viewer, item):
            return []
        return faq_rows(session, item_id, viewer)


def for_event(kb: Kb, event_id: int, viewer: Viewer) -> list[QARow]:
    """The question round of an event (empty if the viewer may not see the event)."""
    with kb.db.reading() as session:
        event = session.get(Event, event_id)
        if event is None or not can_view_object(viewer, event.access):
            return []
        return _rows(session, select(QAEntry).where(QAEntry.event_id == event_id), viewer)


def show(kb: Kb, qa_id: int, viewer: Viewer) -> QARow:
    """One Q&A entry as the viewer may see it (its page, where search hits lead).

    :raises NotFound: no such entry, or an internal one the viewer may not see.
    """
    with kb.db.reading() as session:
        entry = session.get(QAEntry, qa_id)
        if entry is None or not can_view_object(viewer, entry.access):
            raise NotFound("Diese Frage gibt es nicht.", "There is no such question.")
        return _row(session, entry, viewer)


def entries(
    kb: Kb, viewer: Viewer, guidance_id: int | None = None, event_slug: str | None = None
) -> list[QARow]:
    """Q&A entries the viewer may see, newest question first (the API's list).

    A filter naming guidance or an event the viewer may not see (or that does not
    exist) gives an empty list, as :func:`for_item` does: nothing reveals hidden objects.
    """
    with kb.db.reading() as session:
        query = select(QAEntry)
        if guidance_id is not None:
            item = session.get(Item, guidance_id)
            if item is None or not can_view(viewer, item):
                return []
            query = query.join(qa_guidance, qa_guidance.c.qa_id == QAEntry.id).where(
                qa_guidance.c.item_id == guidance_id
            )
        if event_slug is not None:
            event = session.scalar(select(Event).where(Event.slug == event_slug))
            if event is None or not can_view_object(viewer, event.access):
                return []
            query = query.where(QAEntry.event_id == event.id)
        return _rows(session, query, viewer)
