"""Keeping the persons tidy: edit, delete, merge (Redaktion only).

Organisations have the same operations in :mod:`kb.services.organisations`.

Speakers and organisations are created on first use from what people type
(:mod:`kb.services.people`), so twins happen ("A. Beispiel" and "Anna
Beispiel"). Merging moves every link of the dropped row to the kept one,
without creating duplicate link rows, deletes the dropped row, rewrites the
display copies of the affected items and re-indexes them, all in one
transaction with an audit entry. Deleting is refused while anything still
points at the row, naming what does, so nothing silently loses its speaker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import (
    AgendaEntry,
    Item,
    Organisation,
    Person,
    agenda_speakers,
    item_persons,
)
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.people import organisation_by_name, refresh_display_copies

logger = logging.getLogger(__name__)


def require_editor(viewer: Viewer) -> None:
    """:raises Forbidden: unless the viewer is Redaktion (or Admin)."""
    if not viewer.is_editor:
        raise Forbidden(
            "Personen, Organisationen und Vokabular pflegt die Redaktion.",
            "Only editors maintain persons, organisations and vocabularies.",
        )


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("Diese Person gibt es nicht.", "This person does not exist.")
    return person


def reindex_items(session: Session, item_ids: set[int]) -> None:
    """Rewrite the display copies of these items from their links and queue their re-index."""
    session.flush()
    for item in session.scalars(select(Item).where(Item.id.in_(item_ids))):
        session.refresh(item)  # links were moved with bulk statements
        refresh_display_copies(item)
        append_index_log(session, item.id)


def ids_of(session: Session, query: Select[tuple[int]]) -> set[int]:
    return set(session.scalars(query))


# -- persons ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    function: str
    organisation: str
    organisation_id: int | None
    items: int
    talks: int


def list_persons(kb: Kb, viewer: Viewer) -> list[PersonRow]:
    """All persons with how many items and programme entries name them (Redaktion only)."""
    require_editor(viewer)
    items = (
        select(func.count()).select_from(item_persons).where(item_persons.c.person_id == Person.id)
    ).scalar_subquery()
    talks = (
        select(func.count())
        .select_from(agenda_speakers)
        .where(agenda_speakers.c.person_id == Person.id)
    ).scalar_subquery()
    query = (
        select(Person, Organisation.name, items, talks)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .order_by(func.lower(Person.name), Person.id)
    )
    with kb.db.reading() as session:
        return [
            PersonRow(p.id, p.name, p.function, org or "", p.organisation_id, n_items, n_talks)
            for p, org, n_items, n_talks in session.execute(query)
        ]


def get_person(kb: Kb, person_id: int, viewer: Viewer) -> PersonRow:
    require_editor(viewer)
    found = [p for p in list_persons(kb, viewer) if p.id == person_id]
    if not found:
        raise NotFound("Diese Person gibt es nicht.", "This person does not exist.")
    return found[0]


def create_person(kb: Kb, name: str, function: str, organisation: str, viewer: Viewer) -> int:
    """A new person (speakers are otherwise created on first use from the forms)."""
    require_editor(viewer)
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationError("Bitte geben Sie einen Namen an.", "Please give a name.")
    with kb.db.writing() as session:
        person = Person(name=name, function=" ".join(function.split())[:200])
        person.organisation = organisation_by_name(session, organisation)
        session.add(person)
        session.flush()
        audit.record(session, "person_changed", viewer, detail=f"{person.id}: {name} (neu)")
        return person.id


def update_person(
    kb: Kb, person_id: int, name: str, function: str, organisation: str, viewer: Viewer
) -> None:
    """Rename a person or change function/organisation; the items naming them follow."""
    require_editor(viewer)
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationError("Bitte geben Sie einen Namen an.", "Please give a name.")
    with kb.db.writing() as session:
        person = _person(session, person_id)
        person.name, person.function = name, " ".join(function.split())[:200]
        person.organisation = organisation_by_name(session, organisation)
        items = ids_of(
            session, select(item_persons.c.item_id).where(item_persons.c.person_id == person_id)
        )
        reindex_items(session, items)
        _reindex_events_of(session, {person_id})
        audit.record(session, "person_changed", viewer, detail=f"{person_id}: {name}")
    kb.job_signal.set()


def _reindex_events_of(session: Session, person_ids: set[int]) -> None:
    """Queue the events whose programme names these persons (their documents list speakers)."""
    events = ids_of(
        session,
        select(AgendaEntry.event_id)
        .join(agenda_speakers, agenda_speakers.c.entry_id == AgendaEntry.id)
        .where(agenda_speakers.c.person_id.in_(person_ids)),
    )
    for event_id in sorted(events):
        append_index_log(session, event_id, "event")


def delete_person(kb: Kb, person_id: int, viewer: Viewer) -> None:
    """Delete a person nothing points at.

    :raises ValidationError: the person speaks at an event or is named on items;
        the message names the programme entries and says what to do.
    """
    require_editor(viewer)
    with kb.db.writing() as session:
        person = _person(session, person_id)
        talks = list(
            session.scalars(
                select(AgendaEntry.title)
                .join(agenda_speakers, agenda_speakers.c.entry_id == AgendaEntry.id)
                .where(agenda_speakers.c.person_id == person_id)
                .order_by(AgendaEntry.id)
            )
        )
        items = session.scalar(
            select(func.count())
            .select_from(item_persons)
            .where(item_persons.c.person_id == person_id)
        )
        reasons = []
        if talks:
            named = ", ".join(f"„{t[:60]}“" for t in talks[:5])
            reasons.append(
                f"spricht bei {_n(len(talks), 'Programmpunkt', 'Programmpunkten')} ({named})"
            )
        if items:
            reasons.append(
                f"ist bei {_n(items, 'Eintrag', 'Einträgen')} als vortragend eingetragen"
            )
        if reasons:
            raise ValidationError(
                f"„{person.name}“ "
                + " und ".join(reasons)
                + "; bitte zuerst zusammenführen oder austragen.",
                f"'{person.name}' is still linked ({len(talks)} agenda entries, {items} items); "
                "merge or unlink first.",
            )
        audit.record(session, "person_deleted", viewer, detail=f"{person_id}: {person.name}")
        session.delete(person)


def _n(count: int, one: str, many: str) -> str:
    return f"1 {one}" if count == 1 else f"{count} {many}"


def merge_persons(kb: Kb, keep_id: int, drop_id: int, viewer: Viewer) -> None:
    """Fold person ``drop_id`` into ``keep_id``: links move, the dropped row goes.

    Where both were linked to the same item or programme entry, the kept link
    stays and the other is removed (no duplicate link rows). The kept person
    takes the dropped one's organisation and function if it has none.
    """
    require_editor(viewer)
    if keep_id == drop_id:
        raise ValidationError(
            "Bitte wählen Sie zwei verschiedene Personen.", "Choose two different persons."
        )
    with kb.db.writing() as session:
        keep, drop = _person(session, keep_id), _person(session, drop_id)
        items = _move_links(session, item_persons, "item_id", keep_id, drop_id)
        _reindex_events_of(session, {keep_id, drop_id})
        _move_links(session, agenda_speakers, "entry_id", keep_id, drop_id)
        keep.organisation_id = keep.organisation_id or drop.organisation_id
        keep.function = keep.function or drop.function
        detail = f"{drop_id}: {drop.name} -> {keep_id}: {keep.name}"
        session.delete(drop)
        reindex_items(session, items)
        audit.record(session, "persons_merged", viewer, detail=detail[:500])
    kb.job_signal.set()
    logger.info("Merged person %s into %s", drop_id, keep_id)


def _move_links(session: Session, table, owner: str, keep_id: int, drop_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    """Point ``table``'s rows of ``drop_id`` at ``keep_id``; drop those that would be twins.

    :return: the ids in column ``owner`` (items, agenda entries) whose links changed.
    """
    column = table.c[owner]
    moved = ids_of(session, select(column).where(table.c.person_id == drop_id))
    both = ids_of(session, select(column).where(table.c.person_id == keep_id, column.in_(moved)))
    session.execute(delete(table).where(table.c.person_id == drop_id, column.in_(both)))
    session.execute(update(table).where(table.c.person_id == drop_id).values(person_id=keep_id))
    return moved
