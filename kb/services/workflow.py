"""The publication workflow and editing an item's metadata.

States: Entwurf (draft) -> Zur Prüfung (review) -> Veröffentlicht (published)
-> Archiviert (archived), Plone's model in German. Who may take which step is
declared once in :data:`TRANSITIONS`; every step records who, when and an
optional comment, writes the audit log and re-indexes the item (its access
terms change) in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import ACCESS, KINDS, LICENCES, STATES, Event, Item, User, WorkflowStep
from kb.services import audit
from kb.services.access import Viewer, can_edit, can_view
from kb.services.alt_text import set_alt_texts
from kb.services.context import Kb
from kb.services.dates import parse_date
from kb.services.indexing import append_index_log
from kb.services.people import set_item_people
from kb.services.reference import (
    classify_topics,
    districts_by_ags,
    programme_name,
    tags_by_name,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    #: "owner": the item's owner (an Autor) or Redaktion; "editor": Redaktion only.
    who: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("draft", "review", "Zur Prüfung einreichen", "owner"),
    Transition("draft", "published", "Veröffentlichen", "editor"),
    Transition("review", "published", "Veröffentlichen", "editor"),
    Transition("review", "draft", "Zurück an Entwurf", "owner"),
    Transition("published", "draft", "Zurückziehen (Entwurf)", "editor"),
    Transition("published", "archived", "Archivieren", "editor"),
    Transition("archived", "published", "Wieder veröffentlichen", "editor"),
)


def _allowed(viewer: Viewer, item: Item, transition: Transition) -> bool:
    if viewer.is_editor:
        return True
    return transition.who == "owner" and can_edit(viewer, item)


def available_transitions(viewer: Viewer, item: Item) -> list[Transition]:
    """The steps ``viewer`` may take from the item's current state, for the item page."""
    return [t for t in TRANSITIONS if t.source == item.state and _allowed(viewer, item, t)]


def _load_for_change(session: Session, item_id: int, viewer: Viewer) -> Item:
    item = session.get(Item, item_id)
    if item is None or not can_view(viewer, item):
        raise NotFound("Diesen Eintrag gibt es nicht.", "This item does not exist.")
    return item


def change_state(
    kb: Kb,
    item_id: int,
    target: str,
    viewer: Viewer,
    comment: str = "",
    now: dt.datetime | None = None,
) -> None:
    """Move an item one step through the workflow.

    :raises NotFound: the viewer may not see the item.
    :raises Forbidden: the viewer may see it but not take this step.
    """
    if target not in STATES:
        raise ValidationError(f"Unbekannter Status „{target[:40]}“.", "Unknown state.")
    with kb.db.writing() as session:
        item = _load_for_change(session, item_id, viewer)
        step = next((t for t in TRANSITIONS if t.source == item.state and t.target == target), None)
        if step is None or not _allowed(viewer, item, step):
            raise Forbidden(
                f"Der Schritt von „{STATES[item.state]}“ nach „{STATES[target]}“ ist Ihnen "
                "hier nicht erlaubt.",
                f"You may not move this item from {item.state} to {target}.",
            )
        session.add(
            WorkflowStep(
                item_id=item.id,
                user_id=viewer.user_id,
                from_state=item.state,
                to_state=target,
                comment=comment.strip()[:2000],
                **({"at": now} if now else {}),
            )
        )
        audit.record(session, "state_change", viewer, item.id, f"{item.state} -> {target}", at=now)
        item.state = target
        append_index_log(session, item.id)
    kb.job_signal.set()
    logger.info("Item %s moved to %s by user %s", item_id, target, viewer.user_id)


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    user: str
    source: str
    target: str
    comment: str


def history(session: Session, item_id: int) -> list[HistoryRow]:
    rows = session.execute(
        select(WorkflowStep, User.display_name, User.username)
        .outerjoin(User, User.id == WorkflowStep.user_id)
        .where(WorkflowStep.item_id == item_id)
        .order_by(WorkflowStep.at, WorkflowStep.id)
    ).all()
    return [
        HistoryRow(
            s.at, display or name or "System", STATES[s.from_state], STATES[s.to_state], s.comment
        )
        for s, display, name in rows
    ]


def review_queue(kb: Kb, viewer: Viewer) -> list[Item]:
    """Items waiting for Redaktion, oldest first."""
    if not viewer.is_editor:
        raise Forbidden("Nur die Redaktion sieht die Prüfliste.", "Only editors see the queue.")
    with kb.db.reading() as session:
        return list(
            session.scalars(
                select(Item)
                .where(Item.state == "review", Item.deleted_at.is_(None))
                .order_by(Item.updated_at, Item.id)
                .options(selectinload(Item.event))
            )
        )


def own_items(kb: Kb, viewer: Viewer) -> list[Item]:
    """The items a signed-in user owns, in every state (for "Meine Einträge")."""
    if viewer.user_id is None:
        return []
    with kb.db.reading() as session:
        return list(
            session.scalars(
                select(Item)
                .where(Item.owner_id == viewer.user_id, Item.deleted_at.is_(None))
                .order_by(Item.id.desc())
            )
        )


@dataclass
class ItemEdit:
    """What the edit form may change. State and owner are not here, by design."""

    title: str
    kind: str
    summary: str = ""
    organisation: str = ""
    speakers: str = ""
    programme: str = ""
    access: str = "internal"
    licence: str = ""
    participants_only: bool = False
    #: Topic names or slugs from the vocabulary; any other name becomes a free tag.
    topics: list[str] = field(default_factory=list)
    #: Free tags (created on first use).
    tags: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    #: The event's slug; empty: the item belongs to no event.
    event: str = ""
    #: The item's date: a date, or text as typed (ISO or German, blank: none).
    date: dt.date | str | None = None
    #: Alternative texts of the item's images (file version id -> text); None: unchanged.
    alt_texts: dict[int, str] | None = None


def _validate(edit: ItemEdit) -> None:
    if not edit.title.strip():
        raise ValidationError("Bitte geben Sie einen Titel an.", "Please give a title.")
    for value, allowed, name in (
        (edit.kind, KINDS, "Art"),
        (edit.access, ACCESS, "Zugriff"),
        (edit.licence, LICENCES, "Lizenz"),
    ):
        if value not in allowed:
            raise ValidationError(f"Unbekannte {name}: „{value[:40]}“.", f"Unknown {name}.")


def update_item(kb: Kb, item_id: int, edit: ItemEdit, viewer: Viewer) -> None:
    """Change an item's metadata (owner or Redaktion); re-indexes it and its old and new event.

    :raises Forbidden: the viewer may see the item but not edit it.
    """
    _validate(edit)
    when = parse_date(edit.date, "Datum")
    with kb.db.writing() as session:
        item = _load_for_change(session, item_id, viewer)
        if not can_edit(viewer, item):
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht bearbeiten.", "You may not edit this item."
            )
        item.title = edit.title.strip()[:500]
        item.kind, item.access, item.licence = edit.kind, edit.access, edit.licence
        item.summary = edit.summary[:5000]
        set_item_people(session, item, edit.speakers, edit.organisation)
        item.programme = programme_name(session, edit.programme)
        item.participants_only = edit.participants_only
        item.topics, extra_tags = classify_topics(session, edit.topics)
        item.tags = list(dict.fromkeys(extra_tags + tags_by_name(session, edit.tags)))
        item.districts = districts_by_ags(session, edit.districts)
        old_event_id = item.event_id
        item.event_id = _event_id(session, edit.event, item)
        item.date = when
        if edit.alt_texts is not None:
            set_alt_texts(session, item, edit.alt_texts)
        audit.record(session, "edit", viewer, item.id)
        append_index_log(session, item.id)
        # The event's own document and page list its materials: both events change.
        for event_id in {old_event_id, item.event_id} - {None}:
            append_index_log(session, event_id, "event")
    kb.job_signal.set()


def _event_id(session: Session, slug: str, item: Item) -> int | None:
    """The chosen event's id; refuses an unknown slug and a shared deck losing its event.

    A deck shared "only with the participants" that leaves its event would fall back to
    its access level and could become readable to everyone, which the speaker did not
    agree to; moving it to another event keeps the consent's meaning (its participants).
    """
    slug = slug.strip()
    if not slug:
        if item.participants_only and item.event_id is not None:
            raise ValidationError(
                "Der Eintrag ist nur für die Teilnehmenden seiner Veranstaltung freigegeben. "
                "Wählen Sie eine Veranstaltung oder nehmen Sie zuerst das Häkchen „Nur für "
                "Teilnehmende der Veranstaltung“ heraus.",
                "The item is shared only with its event's participants. Choose an event, "
                "or untick 'participants only' first.",
            )
        return None
    event_id = session.scalar(select(Event.id).where(Event.slug == slug))
    if event_id is None:
        raise ValidationError(
            f"Die Veranstaltung „{slug[:80]}“ gibt es nicht.", f"There is no event '{slug[:80]}'."
        )
    return event_id
