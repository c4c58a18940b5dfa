"""Instance set-up: schema, folders, index (``kb init``), and demo content (``kb demo``)."""

from __future__ import annotations

import datetime as dt
import io
import logging

from sqlalchemy import select

from kb.migrate import upgrade
from kb.models import Event, EventSeries
from kb.services.access import ANONYMOUS
from kb.services.context import Kb
from kb.services.items import ItemMeta, UploadFile, upload_files

logger = logging.getLogger(__name__)


def init_instance(kb: Kb) -> None:
    """Migrate the database to head, create the data folders and an empty index (idempotent)."""
    upgrade(kb.db.engine)
    kb.store.root.mkdir(parents=True, exist_ok=True)
    kb.index.root.mkdir(parents=True, exist_ok=True)
    kb.index.create()


def _slug(text: str) -> str:
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def load_demo(kb: Kb, today: dt.date | None = None) -> int:
    """Load the demo workshop with its talks and guidance; return the number of items.

    Does nothing (returns 0) when the demo event already exists, so ``make
    run`` can call it on every start.
    """
    from kb.demo_content import build_demo

    today = today or dt.date.today()
    events = build_demo(today)
    created = 0
    for demo_event in events:
        event_slug = _slug(demo_event.title)
        with kb.db.writing() as session:
            if session.scalar(select(Event.id).where(Event.slug == event_slug)):
                continue
            series_slug = _slug(demo_event.series)
            series = session.scalar(select(EventSeries).where(EventSeries.slug == series_slug))
            if series is None:
                series = EventSeries(slug=series_slug, title=demo_event.series)
                session.add(series)
            session.add(
                Event(
                    slug=event_slug,
                    series=series,
                    number=demo_event.number,
                    title=demo_event.title,
                    starts_on=today + dt.timedelta(days=demo_event.days_offset),
                    city=demo_event.city,
                    host_district_ags=demo_event.host_district_ags,
                    description=demo_event.description,
                )
            )
        for item in demo_event.items:
            meta = ItemMeta(
                title=item.title,
                kind=item.kind,
                summary=item.summary,
                organisation=item.organisation,
                event_slug=event_slug,
                date=today + dt.timedelta(days=item.days_offset),
            )
            for demo_file in item.files:
                upload = UploadFile(demo_file.filename, io.BytesIO(demo_file.data))
                upload_files(kb, [upload], meta, ANONYMOUS)
            created += 1
    logger.info("Demo content: %d items created", created)
    return created
