"""Deadlines (Fristen) of guidance sheets and events, and the "what is due soon" list.

A deadline is readable by whoever may read the item (or event) it belongs to.
Only published guidance contributes: a draft's dates are not in force, and an
archived sheet's deadlines are history, not reminders.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import Deadline, Event, Item
from kb.services import audit
from kb.services.access import Viewer, can_edit, can_view, can_view_object
from kb.services.context import Kb
from kb.services.dates import parse_date
from kb.services.items import load_item

logger = logging.getLogger(__name__)

MAX_ROWS = 50


@dataclass
class DeadlineInput:
    """One row of the form, as typed (``due_on`` may be ISO or German)."""

    title: str = ""
    due_on: str | dt.date | None = ""
    note: str = ""


@dataclass(frozen=True)
class DeadlineData:
    title: str
    due_on: dt.date
    note: str = ""


def validate_rows(rows: list[DeadlineInput]) -> list[DeadlineData]:
    """Checked rows; rows left entirely blank (spare form rows) are dropped.

    :raises ValidationError: a row without title or date, or with a bad date.
    """
    out: list[DeadlineData] = []
    for number, row in enumerate(rows, start=1):
        title, note = row.title.strip(), row.note.strip()
        raw = row.due_on if isinstance(row.due_on, dt.date) else (row.due_on or "").strip()
        if not title and not raw and not note:
            continue
        if not title:
            raise ValidationError(
                f"Frist {number}: Bitte geben Sie einen Titel an (z. B. „Antragsfrist“).",
                f"Deadline {number}: please give a title.",
            )
        due = parse_date(raw, f"Frist „{title[:60]}“")
        if due is None:
            raise ValidationError(
                f"Frist „{title[:60]}“: Bitte geben Sie ein Datum an.",
                f"Deadline '{title[:60]}': please give a date.",
            )
        out.append(DeadlineData(title[:300], due, note[:2000]))
    if len(out) > MAX_ROWS:
        raise ValidationError(
            f"Höchstens {MAX_ROWS} Fristen je Leitfaden.", f"At most {MAX_ROWS} deadlines."
        )
    return sorted(out, key=lambda d: (d.due_on, d.title))


def replace_in_session(session: Session, item: Item, rows: list[DeadlineData]) -> None:
    """Make ``rows`` the deadlines of ``item`` inside the caller's transaction."""
    session.execute(delete(Deadline).where(Deadline.item_id == item.id))
    for row in rows:
        session.add(Deadline(item_id=item.id, due_on=row.due_on, title=row.title, note=row.note))


def _editable_guidance(session: Session, item_id: int, viewer: Viewer) -> Item:
    from kb.services.guidance import require_guidance  # guidance imports this module

    item = load_item(session, item_id, viewer)
    if not can_edit(viewer, item):
        raise Forbidden(
            "Sie dürfen diesen Eintrag nicht bearbeiten.", "You may not edit this item."
        )
    require_guidance(item)
    return item


def set_deadlines(kb: Kb, item_id: int, rows: list[DeadlineInput], viewer: Viewer) -> None:
    """Replace all deadlines of a guidance item (owner or Redaktion)."""
    checked = validate_rows(rows)
    with kb.db.writing() as session:
        item = _editable_guidance(session, item_id, viewer)
        replace_in_session(session, item, checked)
        audit.record(session, "guidance_edit", viewer, item.id, f"{len(checked)} Fristen")


def add_deadline(kb: Kb, item_id: int, row: DeadlineInput, viewer: Viewer) -> int:
    """Add one deadline; returns its id."""
    checked = validate_rows([row])
    if not checked:
        raise ValidationError(
            "Bitte geben Sie Titel und Datum der Frist an.", "Please give title and date."
        )
    with kb.db.writing() as session:
        item = _editable_guidance(session, item_id, viewer)
        deadline = Deadline(
            item_id=item.id, due_on=checked[0].due_on, title=checked[0].title, note=checked[0].note
        )
        session.add(deadline)
        audit.record(session, "guidance_edit", viewer, item.id, f"Frist: {checked[0].title}")
        session.flush()
        return deadline.id


def set_event_deadlines(kb: Kb, slug: str, rows: list[DeadlineInput], viewer: Viewer) -> None:
    """Replace the deadlines of an event (registration closes …); Redaktion only, like events.

    They are readable by whoever may see the event, on the Fristen page and in the feeds.
    """
    from kb.services.events import load_event, require_editor  # events imports this module

    checked = validate_rows(rows)
    require_editor(viewer)
    with kb.db.writing() as session:
        event = load_event(session, slug, viewer)
        session.execute(delete(Deadline).where(Deadline.event_id == event.id))
        for row in checked:
            session.add(
                Deadline(event_id=event.id, due_on=row.due_on, title=row.title, note=row.note)
            )
        audit.record(session, "event_edited", viewer, detail=f"{slug}: {len(checked)} Fristen")


def of_event(kb: Kb, slug: str, viewer: Viewer) -> list[DeadlineInput]:
    """An event's deadlines as form rows (the event must be visible to the viewer)."""
    from kb.services.events import load_event

    with kb.db.reading() as session:
        event = load_event(session, slug, viewer)
        rows = session.scalars(
            select(Deadline).where(Deadline.event_id == event.id).order_by(Deadline.due_on)
        )
        return [DeadlineInput(d.title, d.due_on.isoformat(), d.note) for d in rows]


def remove_deadline(kb: Kb, item_id: int, deadline_id: int, viewer: Viewer) -> None:
    with kb.db.writing() as session:
        item = _editable_guidance(session, item_id, viewer)
        deadline = session.get(Deadline, deadline_id)
        if deadline is None or deadline.item_id != item.id:
            raise NotFound("Diese Frist gibt es nicht.", "This deadline does not exist.")
        session.delete(deadline)
        audit.record(session, "guidance_edit", viewer, item.id, f"Frist entfernt: {deadline.title}")


def of_item(session: Session, item_id: int) -> list[Deadline]:
    """The deadlines of an item the caller has already checked, by date."""
    return list(
        session.scalars(
            select(Deadline).where(Deadline.item_id == item_id).order_by(Deadline.due_on)
        )
    )


@dataclass(frozen=True)
class Upcoming:
    """One line of the "Fristen" page and the calendar feed."""

    date: dt.date
    #: "deadline" or "valid_from" (guidance that starts to apply)
    kind: str
    title: str
    note: str = ""
    deadline_id: int | None = None
    item_id: int | None = None
    item_title: str = ""
    event_id: int | None = None
    event_slug: str = ""
    event_title: str = ""


def visible_deadlines(
    session: Session, viewer: Viewer, start: dt.date, end: dt.date | None
) -> list[Upcoming]:
    """Deadlines due in [start, end] of published items and of events the viewer may see."""
    query = select(Deadline).where(Deadline.due_on >= start).order_by(Deadline.due_on, Deadline.id)
    if end is not None:
        query = query.where(Deadline.due_on <= end)
    out: list[Upcoming] = []
    for d in session.scalars(query):
        if d.item_id is not None:
            item = session.get(Item, d.item_id)
            if item is None or item.state != "published" or not can_view(viewer, item):
                continue
            out.append(Upcoming(d.due_on, "deadline", d.title, d.note, d.id, item.id, item.title))
        elif d.event_id is not None:
            event = session.get(Event, d.event_id)
            if event is None or not can_view_object(viewer, event.access):
                continue
            out.append(
                Upcoming(
                    d.due_on,
                    "deadline",
                    d.title,
                    d.note,
                    d.id,
                    event_id=event.id,
                    event_slug=event.slug,
                    event_title=event.title,
                )  # fmt: skip
            )
    return out


def upcoming(kb: Kb, viewer: Viewer, today: dt.date, days: int = 120) -> list[Upcoming]:
    """What is due from ``today`` to ``days`` later, and guidance that starts to apply then."""
    end = today + dt.timedelta(days=days)
    with kb.db.reading() as session:
        out = visible_deadlines(session, viewer, today, end)
        starting = session.scalars(
            select(Item)
            .where(
                Item.kind == "leitfaden",
                Item.state == "published",
                Item.valid_from >= today,
                Item.valid_from <= end,
            )
            .options(selectinload(Item.files))
        )
        for item in starting:
            if can_view(viewer, item):
                assert item.valid_from is not None
                out.append(
                    Upcoming(
                        item.valid_from,
                        "valid_from",
                        item.title,
                        item_id=item.id,
                        item_title=item.title,
                    )  # fmt: skip
                )
    return sorted(out, key=lambda u: (u.date, u.kind != "valid_from", u.title))
