"""Pages of the site itself (Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit).

A German public web site must carry these three. Their text belongs to the operator, so it
lives in the database, editable by Admin; a row exists only once an Admin has saved a text
(until then the page shows the default shipped in ``kb/data/site_pages/``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base
from kb.models.content import utcnow


class SitePage(Base):
    """The operator's text of one required page, keyed by its slug ("impressum" …)."""

    __tablename__ = "site_pages"
    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: Markdown, rendered through the sanitiser (kb.services.markdown) when shown.
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
