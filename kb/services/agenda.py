"""An event's programme: ordered agenda entries (time, title, speakers, the talk shown).

:func:`set_agenda` replaces the whole programme at once, as the form sends it:
saving the form is one transaction, so a programme is never half old, half new.
Times are local wall-clock times as printed in the invitation ("10:30"), kept
as text; an entry may have no time (e.g. "anschließend: Austausch").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kb.errors import ValidationError
from kb.models import AgendaEntry, Item, agenda_speakers
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.events import load_event, require_editor
from kb.services.indexing import append_index_log
from kb.services.people import persons_by_names, split_names

logger = logging.getLogger(__name__)

#: At most this many entries in one programme (a workshop day, not a congress).
MAX_ENTRIES = 60

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass
class AgendaData:
    """One row of the programme form."""

    starts_at: str = ""
    ends_at: str = ""
    title: str = ""
    #: Names separated by commas or semicolons; each becomes (or finds) a Person.
    speakers: str = ""
    item_id: int | None = None
    note: str = ""


def parse_time(text: str, row: int) -> str:
    """ "9:05" / "09.05" -> "09:05"; "" stays ""; anything else names the row."""
    text = text.strip()
    if not text:
        return ""
    match = _TIME.match(text)
    if match is None:
        raise ValidationError(
            f"Zeile {row}: „{text[:20]}“ ist keine Uhrzeit. Bitte im Format HH:MM, z. B. 10:30.",
            f"Row {row}: '{text[:20]}' is not a time. Please use HH:MM, e.g. 10:30.",
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _check(session: Session, entry: AgendaData, row: int) -> tuple[str, str]:
    starts, ends = parse_time(entry.starts_at, row), parse_time(entry.ends_at, row)
    if ends and not starts:
        raise ValidationError(
            f"Zeile {row}: Bitte geben Sie zum Ende auch den Beginn an.",
            f"Row {row}: please give a start time as well as the end.",
        )
    if starts and ends and ends < starts:
        raise ValidationError(
            f"Zeile {row}: Das Ende liegt vor dem Beginn.",
            f"Row {row}: the end is before the start.",
        )
    if not " ".join(entry.title.split()):
        raise ValidationError(
            f"Zeile {row}: Bitte geben Sie einen Titel an.", f"Row {row}: please give a title."
        )
    if entry.item_id is not None and session.get(Item, entry.item_id) is None:
        raise ValidationError(
            f"Zeile {row}: Den verknüpften Eintrag Nr. {entry.item_id} gibt es nicht.",
            f"Row {row}: the linked item {entry.item_id} does not exist.",
        )
    return starts, ends


def set_agenda(kb: Kb, slug: str, entries: list[AgendaData], viewer: Viewer) -> int:
    """Replace the event's programme with ``entries`` in this order; return their number."""
    require_editor(viewer)
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(
            f"Ein Programm hat höchstens {MAX_ENTRIES} Punkte.",
            f"A programme has at most {MAX_ENTRIES} entries.",
        )
    with kb.db.writing() as session:
        event = load_event(session, slug, viewer)
        checked = [_check(session, e, row) for row, e in enumerate(entries, start=1)]
        session.execute(delete(AgendaEntry).where(AgendaEntry.event_id == event.id))
        for position, (entry, (starts, ends)) in enumerate(zip(entries, checked, strict=True)):
            row = AgendaEntry(
                event_id=event.id,
                position=position,
                starts_at=starts,
                ends_at=ends,
                title=" ".join(entry.title.split())[:300],
                item_id=entry.item_id,
                note=entry.note.strip()[:5000],
                speakers=persons_by_names(session, split_names(entry.speakers)),
            )
            session.add(row)
            session.flush()  # the link rows exist now; give them the order the text named
            _order_speakers(session, row)
        append_index_log(session, event.id, "event")
    kb.job_signal.set()
    logger.info("Programme of %s set: %d entries", slug, len(entries))
    return len(entries)


def _order_speakers(session: Session, row: AgendaEntry) -> None:
    for position, person in enumerate(row.speakers):
        session.execute(
            update(agenda_speakers)
            .where(agenda_speakers.c.entry_id == row.id, agenda_speakers.c.person_id == person.id)
            .values(position=position)
        )


def agenda_rows(kb: Kb, slug: str, viewer: Viewer) -> list[AgendaData]:
    """The programme as form rows (for the edit form)."""
    require_editor(viewer)
    with kb.db.reading() as session:
        event = load_event(session, slug, viewer)
        entries = session.scalars(
            select(AgendaEntry)
            .where(AgendaEntry.event_id == event.id)
            .order_by(AgendaEntry.position, AgendaEntry.id)
        )
        return [
            AgendaData(
                e.starts_at,
                e.ends_at,
                e.title,
                ", ".join(p.name for p in e.speakers),
                e.item_id,
                e.note,
            )
            for e in entries
        ]
