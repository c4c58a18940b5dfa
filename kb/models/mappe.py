"""The Mappe: a bundle of items (and saved searches) someone collects to hand out as one PDF.

Entries point at items, never copy them: what the Mappe shows and prints is
decided when it is shown or printed, by the viewer's access at that moment.
An item moved back to Entwurf after it was collected simply drops out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base
from kb.models.content import utcnow


class Mappe(Base):
    """One bundle per owner: ``user:N`` for accounts, a random session key for visitors."""

    __tablename__ = "mappen"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="Meine Mappe")
    introduction: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    entries: Mapped[list[MappeEntry]] = relationship(
        order_by="MappeEntry.position", cascade="all, delete-orphan"
    )


class MappeEntry(Base):
    """An item, or a saved search (its /search query string) expanded when printed."""

    __tablename__ = "mappe_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    mappe_id: Mapped[int] = mapped_column(ForeignKey("mappen.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    query_string: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(String(200), default="")
