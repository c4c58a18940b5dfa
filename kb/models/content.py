"""The content model: items, their files and pages, events, reference data, jobs, index log.

The database is the source of truth: extracted text lives in ``pages`` so that
the search index can be rebuilt from the database alone. ``jobs`` is the
transactional outbox for slow work and ``index_log`` the append-only log the
indexer replays into Whoosh.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base

if TYPE_CHECKING:
    from kb.models.network import Organisation, Person, Tag

#: Item kinds: id -> German label. Order is the order in forms.
KINDS: dict[str, str] = {
    "praesentation": "Präsentation",
    "impulsvortrag": "Impulsvortrag",
    "leitfaden": "Leitfaden",
    "protokoll": "Protokoll/Dokumentation",
    "formular": "Formular/Vorlage",
    "sonstiges": "Sonstiges",
}
STATES: dict[str, str] = {
    "draft": "Entwurf",
    "review": "Zur Prüfung",
    "published": "Veröffentlicht",
    "archived": "Archiviert",
}
ACCESS: dict[str, str] = {"public": "öffentlich", "internal": "intern"}
#: Licences a speaker can grant for a deck; shown on the item page and in handouts.
LICENCES: dict[str, str] = {
    "": "nicht angegeben",
    "cc-by-4.0": "CC BY 4.0",
    "cc-by-sa-4.0": "CC BY-SA 4.0",
    "cc-by-nd-4.0": "CC BY-ND 4.0",
    "cc0-1.0": "CC0 1.0 (gemeinfrei)",
    "all-rights-reserved": "Alle Rechte vorbehalten",
}
#: How a file's text is divided: German label of one unit.
UNITS: dict[str, str] = {
    "page": "Seite",
    "slide": "Folie",
    "section": "Abschnitt",
    "sheet": "Tabelle",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class District(Base):
    """A Landkreis or kreisfreie Stadt, keyed by its official AGS (reference data)."""

    __tablename__ = "districts"
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: "Landkreis" or "kreisfreie Stadt"
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(60), default="Sachsen-Anhalt")
    #: Tile position on the schematic state map (row, column; 0-based), from the data file.
    map_row: Mapped[int | None] = mapped_column(Integer)
    map_col: Mapped[int | None] = mapped_column(Integer)


class Topic(Base):
    """A subject from the controlled vocabulary (e.g. Arbeitsmarktintegration)."""

    __tablename__ = "topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


item_topics = Table(
    "item_topics",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)

item_districts = Table(
    "item_districts",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("district_ags", ForeignKey("districts.ags", ondelete="CASCADE"), primary_key=True),
)


class EventSeries(Base):
    """A recurring workshop series such as the IKOE-Ideenwerkstatt."""

    __tablename__ = "event_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Event(Base):
    """One workshop of a series; items (talks, minutes) belong to it."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id"))
    number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Last day (None: a one-day event); never before ``starts_on`` (checked by the service).
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(120), default="")
    #: The venue as printed in the invitation (building, address).
    venue: Mapped[str] = mapped_column(String(300), default="")
    host_district_ags: Mapped[str | None] = mapped_column(
        ForeignKey("districts.ags", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    #: "public" or "internal": who sees the event itself (its items keep their own access).
    access: Mapped[str] = mapped_column(String(10), default="public")

    series: Mapped[EventSeries | None] = relationship()
    host_district: Mapped[District | None] = relationship()


class Item(Base):
    """The content object: a talk, a guidance sheet, minutes, a form …"""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="sonstiges")
    summary: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    speakers: Mapped[str] = mapped_column(String(500), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    date: Mapped[dt.date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8), default="de")
    #: Funding programme the item concerns (e.g. "AMIF"); free text, a facet.
    programme: Mapped[str] = mapped_column(String(120), default="")
    access: Mapped[str] = mapped_column(String(10), default="public")
    state: Mapped[str] = mapped_column(String(10), default="published")
    #: Who uploaded it; owners always see and (as Autor) edit their items. None before accounts.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The speaker's sharing consent: only participants of the item's event may read it.
    participants_only: Mapped[bool] = mapped_column(Boolean, default=False)
    licence: Mapped[str] = mapped_column(String(40), default="")
    #: Markdown (sanitised when shown); guidance checklists are task lists ("- [ ] …").
    body: Mapped[str] = mapped_column(Text, default="")
    #: The organisation the item comes from; ``organisation`` is its display copy.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # -- guidance (Leitfaden / Merkblatt) --
    #: The body that issued the guidance (Landesverwaltungsamt, Investitionsbank …).
    issuing_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    #: The previous edition this one replaces (a new yearly edition is a new item). Unique:
    #: an edition has at most one successor; cycles are refused by the service.
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: In the trash since then (invisible everywhere but the trash page); purged after
    #: ``KB_TRASH_DAYS``. None: not deleted.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=item_topics, order_by="Topic.name")
    districts: Mapped[list[District]] = relationship(
        secondary=item_districts, order_by="District.name"
    )
    files: Mapped[list[FileVersion]] = relationship(
        back_populates="item", order_by="FileVersion.id", cascade="all, delete-orphan"
    )
    persons: Mapped[list[Person]] = relationship(
        secondary="item_persons", order_by="item_persons.c.position"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="item_tags", order_by="Tag.name")
    organisation_ref: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    issuing_body: Mapped[Organisation | None] = relationship(foreign_keys=[issuing_body_id])
    supersedes: Mapped[Item | None] = relationship(
        remote_side=[id], foreign_keys=[supersedes_id], back_populates="superseded_by"
    )
    superseded_by: Mapped[Item | None] = relationship(
        foreign_keys=[supersedes_id], back_populates="supersedes", uselist=False
    )


class FileVersion(Base):
    """One stored file of an item; a corrected file is a new version of the same item."""

    __tablename__ = "file_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Who uploaded this version (None before accounts, or for the console).
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Exactly one version of an item is current: it is indexed, shown and handed out.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    #: pending -> done | failed; the message says (in German and English) why no text was read.
    status: Mapped[str] = mapped_column(String(12), default="pending")
    status_message_de: Mapped[str] = mapped_column(Text, default="")
    status_message_en: Mapped[str] = mapped_column(Text, default="")
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    page_unit: Mapped[str] = mapped_column(String(10), default="page")
    #: What an image (PNG/JPEG) shows, for people who cannot see it: the ``alt`` of every
    #: ``<img>`` of this file. Required on web and API uploads of images; "" for other files.
    alt_text: Mapped[str] = mapped_column(String(500), default="")

    item: Mapped[Item] = relationship(back_populates="files")
    pages: Mapped[list[Page]] = relationship(
        order_by="Page.number", cascade="all, delete-orphan", passive_deletes=True
    )


class Page(Base):
    """The extracted text of one page, slide or section of a file version."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("file_version_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_version_id: Mapped[int] = mapped_column(
        ForeignKey("file_versions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")


#: Job priority of reading text (lower runs first): text, then previews (20) and the rest.
TEXT_PRIORITY = 10


class Job(Base):
    """Slow work, written in the same transaction as the change that caused it (outbox)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: Lower runs first: text extraction before previews and OCR.
    priority: Mapped[int] = mapped_column(Integer, default=TEXT_PRIORITY)
    file_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("file_versions.id", ondelete="CASCADE"), index=True
    )
    #: queued -> running -> done | failed
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    locked_by: Mapped[str] = mapped_column(String(100), default="")
    #: Jobs without a file (kind "handout": a long Mappe PDF): what to do, as JSON.
    payload: Mapped[str] = mapped_column(Text, default="")
    #: Progress for the person waiting: ``progress`` of ``total`` (a handout: pages laid out).
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    #: What a finished job made (a handout: its file name in the handout cache).
    result: Mapped[str] = mapped_column(String(200), default="")


class SavedSearch(Base):
    """A search someone wants to run again: its whole state is the query string of /search.

    Until accounts exist, the owner is identified by a random key kept in the
    browser's session cookie (``owner_key``); accounts will add ``user_id``.
    """

    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query_string: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IndexLog(Base):
    """Append-only: "re-index object X from the DB as it is now". Replaying is harmless."""

    __tablename__ = "index_log"
    #: Ids must never be reused after pruning: indexers remember the last applied id.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IndexReplica(Base):
    """One index directory fed from the log (an app server's ``index/``), so the worker knows
    which log entries every replica has applied and may prune the rest.

    The id is a random token kept in the index root (``index/REPLICA``), so it survives
    rebuilds and restarts; host and folder are for the operator who reads ``kb stats``.
    """

    __tablename__ = "index_replicas"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    index_dir: Mapped[str] = mapped_column(String(1000), default="")
    #: The last index-log id this replica has applied.
    applied_id: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Written by the replica's indexer after each apply (and at least every few minutes).
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
