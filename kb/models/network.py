"""The network's own structure: organisations, persons, programmes, the agenda of an event,
question rounds with the funding bodies, deadlines, free tags and personal calendar feeds.

Districts, topics, series and events live in :mod:`kb.models.content` (they came
first); this module adds what joins them. Persons carry only name, organisation
and function: kb is not a contact directory and keeps no personal data beyond
what a printed workshop programme shows.

``Item.speakers`` and ``Item.organisation`` (text) are display copies of the
linked persons and organisation, written only by :mod:`kb.services.people`, so
that every reader (index, handouts, pages) keeps working on one plain string.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base
from kb.models.content import Event, Item, utcnow

#: Kinds of organisation, id -> German label (for forms and the district page).
ORGANISATION_KINDS: dict[str, str] = {
    "fachstelle": "Fachstelle",
    "behoerde": "Landesbehörde",
    "foerderbank": "Förderbank",
    "beratung": "Beratungsdienst",
    "kommune": "Kommune / Landkreis",
    "traeger": "Träger / Verein",
    "sonstige": "Sonstige",
}

item_persons = Table(
    "item_persons",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

agenda_speakers = Table(
    "agenda_speakers",
    Base.metadata,
    Column("entry_id", ForeignKey("agenda_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

qa_guidance = Table(
    "qa_guidance",
    Base.metadata,
    Column("qa_id", ForeignKey("qa_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)

item_tags = Table(
    "item_tags",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    """A body of the network: the specialist office, the state administration, a district …"""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    #: Common abbreviation (LVwA, IB); searchable and shown in lists.
    short_name: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default="sonstige")
    #: The district whose coordinators this organisation is (district page), if any.
    district_ags: Mapped[str | None] = mapped_column(
        ForeignKey("districts.ags", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")


class Person(Base):
    """A speaker or author: name, organisation and function only."""

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    function: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation | None] = relationship()


class Programme(Base):
    """A funding programme from the controlled vocabulary (AMIF, a state programme …).

    ``Item.programme`` holds the programme's ``name`` (the facet value as shown).
    """

    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Tag(Base):
    """A free tag, created on first use (topics are the controlled vocabulary)."""

    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class AgendaEntry(Base):
    """One line of an event's programme: time, title, speakers, and the talk or material."""

    __tablename__ = "agenda_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Order within the programme (0, 1, 2 …).
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: "10:30" (local time as printed in the programme); empty for untimed entries.
    starts_at: Mapped[str] = mapped_column(String(5), default="")
    ends_at: Mapped[str] = mapped_column(String(5), default="")
    title: Mapped[str] = mapped_column(String(300))
    #: The talk or material this entry presents (its slides are shown in the programme).
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")

    speakers: Mapped[list[Person]] = relationship(
        secondary=agenda_speakers, order_by=agenda_speakers.c.position
    )


class QAEntry(Base):
    """A question put to a funding body at a workshop, and its answer."""

    __tablename__ = "qa_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    answering_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    asked_on: Mapped[dt.date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    #: "public" or "internal", as for items.
    access: Mapped[str] = mapped_column(String(10), default="internal")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    answering_body: Mapped[Organisation | None] = relationship()
    event: Mapped[Event | None] = relationship()
    #: The guidance items this question concerns (listed there as the FAQ).
    guidance: Mapped[list[Item]] = relationship(secondary=qa_guidance, order_by="Item.id")


class Deadline(Base):
    """A date someone must meet (application deadline, proof of use …), from guidance or an event.

    Readable by whoever may read the item (or event) it belongs to.
    """

    __tablename__ = "deadlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")


class CalendarFeed(Base):
    """A user's secret calendar URL (calendar clients send no cookies); revocable.

    Only the SHA-256 of the secret is stored; the URL is shown once when made.
    """

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
