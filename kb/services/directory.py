"""Keeping the persons and organisations tidy: edit, delete, merge (Redaktion only).

Speakers and organisations are created on first use from what people type
(:mod:`kb.services.people`), so twins happen ("A. Beispiel" and "Anna
Beispiel"). Merging moves every link of the dropped row to the kept one,
without creating duplicate link rows, deletes the dropped row, rewrites the
display copies of the affected items and re-indexes them, all in one
transaction with an audit entry. Deleting is refused while anything still
points at the row, naming what does, so nothing silently loses its speaker.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import (
    ORGANISATION_KINDS,
    AgendaEntry,
    District,
    Item,
    Organisation,
    Person,
    QAEntry,
    agenda_speakers,
    item_persons,
)
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.people import organisation_by_name, refresh_display_copies
from kb.services.reference import slugify

logger = logging.getLogger(__name__)

DEFAULT_ORGANISATIONS = Path(__file__).resolve().parent.parent / "data" / "organisations.csv"


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


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Diese Organisation gibt es nicht.", "This organisation does not exist.")
    return organisation


def _reindex_items(session: Session, item_ids: set[int]) -> None:
    """Rewrite the display copies of these items from their links and queue their re-index."""
    session.flush()
    for item in session.scalars(select(Item).where(Item.id.in_(item_ids))):
        session.refresh(item)  # links were moved with bulk statements
        refresh_display_copies(item)
        append_index_log(session, item.id)


def _ids(session: Session, query: Select[tuple[int]]) -> set[int]:
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
        items = _ids(
            session, select(item_persons.c.item_id).where(item_persons.c.person_id == person_id)
        )
        _reindex_items(session, items)
        _reindex_events_of(session, {person_id})
        audit.record(session, "person_changed", viewer, detail=f"{person_id}: {name}")
    kb.job_signal.set()


def _reindex_events_of(session: Session, person_ids: set[int]) -> None:
    """Queue the events whose programme names these persons (their documents list speakers)."""
    events = _ids(
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
        _reindex_items(session, items)
        audit.record(session, "persons_merged", viewer, detail=detail[:500])
    kb.job_signal.set()
    logger.info("Merged person %s into %s", drop_id, keep_id)


def _move_links(session: Session, table, owner: str, keep_id: int, drop_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    """Point ``table``'s rows of ``drop_id`` at ``keep_id``; drop those that would be twins.

    :return: the ids in column ``owner`` (items, agenda entries) whose links changed.
    """
    column = table.c[owner]
    moved = _ids(session, select(column).where(table.c.person_id == drop_id))
    both = _ids(session, select(column).where(table.c.person_id == keep_id, column.in_(moved)))
    session.execute(delete(table).where(table.c.person_id == drop_id, column.in_(both)))
    session.execute(update(table).where(table.c.person_id == drop_id).values(person_id=keep_id))
    return moved


# -- organisations ---------------------------------------------------------------------------


@dataclass
class OrganisationEdit:
    name: str
    short_name: str = ""
    kind: str = "sonstige"
    district_ags: str = ""
    description: str = ""


def _apply(session: Session, organisation: Organisation, edit: OrganisationEdit) -> None:
    name = " ".join(edit.name.split())[:300]
    if not name:
        raise ValidationError("Bitte geben Sie einen Namen an.", "Please give a name.")
    if edit.kind not in ORGANISATION_KINDS:
        allowed = ", ".join(ORGANISATION_KINDS.values())
        raise ValidationError(
            f"Unbekannte Art „{edit.kind[:40]}“. Erlaubt: {allowed}.",
            "Unknown kind of organisation.",
        )
    ags = edit.district_ags.strip()
    if ags and session.get(District, ags) is None:
        raise ValidationError(
            f"Unbekannter Gebietsschlüssel (AGS): {ags[:20]}.", "Unknown district key."
        )
    twin = session.scalar(
        select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id
        )
    )
    if twin:
        raise ValidationError(
            f"Eine Organisation „{name}“ gibt es schon; führen Sie die beiden zusammen.",
            "An organisation with this name exists; merge them.",
        )
    organisation.name, organisation.kind = name, edit.kind
    organisation.short_name = " ".join(edit.short_name.split())[:40]
    organisation.district_ags = ags or None
    organisation.description = edit.description.strip()[:5000]


def _items_of_organisation(session: Session, organisation_id: int) -> set[int]:
    return _ids(
        session,
        select(Item.id).where(
            or_(Item.organisation_id == organisation_id, Item.issuing_body_id == organisation_id)
        ),
    )


def _reindex_qa_of(session: Session, organisation_id: int) -> None:
    for qa_id in sorted(
        _ids(session, select(QAEntry.id).where(QAEntry.answering_body_id == organisation_id))
    ):
        append_index_log(session, qa_id, "qa")


def create_organisation(kb: Kb, edit: OrganisationEdit, viewer: Viewer) -> str:
    """A new organisation from the edit form; returns its slug."""
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = Organisation(slug="", name="")
        _apply(session, organisation, edit)
        organisation.slug = _free_slug(session, organisation.name)
        session.add(organisation)
        audit.record(session, "organisation_changed", viewer, detail=organisation.name)
        return organisation.slug


#: Path words under /organisations/ that a slug must not take.
RESERVED_SLUGS = frozenset({"new", "merge"})


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name)[:70].rstrip("-") or "organisation"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or session.scalar(
        select(Organisation.id).where(Organisation.slug == slug)
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def update_organisation(kb: Kb, slug: str, edit: OrganisationEdit, viewer: Viewer) -> None:
    """Change an organisation (the slug, its address, stays); its items follow."""
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = organisation_by_slug(session, slug)
        _apply(session, organisation, edit)
        _reindex_items(session, _items_of_organisation(session, organisation.id))
        _reindex_qa_of(session, organisation.id)
        audit.record(session, "organisation_changed", viewer, detail=organisation.name)
    kb.job_signal.set()


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is None:
        raise NotFound("Diese Organisation gibt es nicht.", "This organisation does not exist.")
    return found


def delete_organisation(kb: Kb, slug: str, viewer: Viewer) -> None:
    """Delete an organisation nothing points at.

    :raises ValidationError: persons, items or answers still name it (counted in the message).
    """
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = organisation_by_slug(session, slug)
        oid = organisation.id
        counts = {
            "Personen": session.scalar(
                select(func.count()).select_from(Person).where(Person.organisation_id == oid)
            ),
            "Einträge": len(_items_of_organisation(session, oid)),
            "Antworten": session.scalar(
                select(func.count()).select_from(QAEntry).where(QAEntry.answering_body_id == oid)
            ),
        }
        used = [f"{n} {label}" for label, n in counts.items() if n]
        if used:
            raise ValidationError(
                f"„{organisation.name}“ wird noch verwendet ({', '.join(used)}); bitte zuerst "
                "zusammenführen oder austragen.",
                f"'{organisation.name}' is still in use; merge or unlink first.",
            )
        audit.record(session, "organisation_deleted", viewer, detail=organisation.name)
        session.delete(organisation)


def merge_organisations(kb: Kb, keep_slug: str, drop_slug: str, viewer: Viewer) -> None:
    """Fold organisation ``drop_slug`` into ``keep_slug``: every reference moves to the kept one."""
    require_editor(viewer)
    if keep_slug == drop_slug:
        raise ValidationError(
            "Bitte wählen Sie zwei verschiedene Organisationen.",
            "Choose two different organisations.",
        )
    with kb.db.writing() as session:
        keep = organisation_by_slug(session, keep_slug)
        drop = organisation_by_slug(session, drop_slug)
        items = _items_of_organisation(session, drop.id)
        _reindex_qa_of(session, drop.id)
        moves = (
            (Person, Person.organisation_id),
            (Item, Item.organisation_id),
            (Item, Item.issuing_body_id),
            (QAEntry, QAEntry.answering_body_id),
        )
        for model, column in moves:
            session.execute(
                update(model).where(column == drop.id).values({column.key: keep.id}),
                execution_options={"synchronize_session": False},
            )
        keep.short_name = keep.short_name or drop.short_name
        keep.district_ags = keep.district_ags or drop.district_ags
        keep.description = keep.description or drop.description
        detail = f"{drop.name} -> {keep.name}"
        session.delete(drop)
        _reindex_items(session, items)
        audit.record(session, "organisations_merged", viewer, detail=detail[:500])
    kb.job_signal.set()
    logger.info("Merged organisation %s into %s", drop_slug, keep_slug)


def load_organisations(kb: Kb, path: Path = DEFAULT_ORGANISATIONS) -> int:
    """Add the network's bodies from the reference list; existing rows are kept (idempotent).

    A row already there (same slug, or the same name created on first use from an
    upload) is not overwritten, so Redaktion's edits survive ``kb init``; only its
    empty short name and the kind "sonstige" are filled in from the list.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    added = 0
    with kb.db.writing() as session:
        for row in rows:
            found = session.scalar(
                select(Organisation).where(
                    or_(
                        Organisation.slug == row["slug"],
                        func.lower(Organisation.name) == row["name"].lower(),
                    )
                )
            )
            if found is None:
                found = Organisation(slug=row["slug"], name=row["name"], kind="sonstige")
                session.add(found)
                added += 1
            found.short_name = found.short_name or row.get("short_name", "")
            if found.kind in ("", "sonstige", None):
                found.kind = row.get("kind") or "sonstige"
            found.district_ags = found.district_ags or row.get("district_ags") or None
    logger.info("Reference organisations: %d added", added)
    return added
