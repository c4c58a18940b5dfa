"""Instance set-up: schema, folders, index (``kb init``), and demo content (``kb demo``)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from kb.migrate import upgrade
from kb.models import Event, EventSeries
from kb.services.access import ANONYMOUS
from kb.services.context import Kb
from kb.services.indexing import append_index_log, ensure_index
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.reference import load_districts, slugify
from kb.services.vocabulary import load_reference_data

if TYPE_CHECKING:
    from kb.demo import DemoEvent, DemoItem

logger = logging.getLogger(__name__)


def init_instance(kb: Kb) -> None:
    """Migrate the database to head, create the data folders and an empty index (idempotent)."""
    upgrade(kb.db.engine)
    kb.store.root.mkdir(parents=True, exist_ok=True)
    kb.index.root.mkdir(parents=True, exist_ok=True)
    load_districts(kb)
    load_reference_data(kb)
    ensure_index(kb)


def load_demo(kb: Kb, today: dt.date | None = None) -> int:
    """Load the demo workshop with its talks and guidance; return the number of items.

    Does nothing (returns 0) when the demo event already exists, so ``make
    run`` can call it on every start.
    """
    from kb.demo import DEMO_EVENT_TITLE, build_demo, build_demo_items

    with kb.db.reading() as session:
        if session.scalar(select(Event.id).where(Event.slug == slugify(DEMO_EVENT_TITLE))):
            return 0  # loaded before; building the demo files (a PDF render) would be wasted
    today = today or dt.date.today()
    created = 0
    for demo_event in build_demo(today):
        event_slug = _create_event(kb, demo_event, today)
        if event_slug is None:
            continue
        for item in demo_event.items:
            _add_item(kb, item, event_slug, demo_event.host_district_ags, today)
            created += 1
        for item in build_demo_items(today):
            _add_item(kb, item, None, None, today)
            created += 1
    logger.info("Demo content: %d items created", created)
    return created


def _create_event(kb: Kb, demo_event: DemoEvent, today: dt.date) -> str | None:
    """Create the event (and its series); None if it exists already."""
    event_slug = slugify(demo_event.title)
    with kb.db.writing() as session:
        if session.scalar(select(Event.id).where(Event.slug == event_slug)):
            return None
        series_slug = slugify(demo_event.series)
        series = session.scalar(select(EventSeries).where(EventSeries.slug == series_slug))
        if series is None:
            series = EventSeries(slug=series_slug, title=demo_event.series)
            session.add(series)
        event = Event(
            slug=event_slug,
            series=series,
            number=demo_event.number,
            title=demo_event.title,
            starts_on=today + dt.timedelta(days=demo_event.days_offset),
            city=demo_event.city,
            host_district_ags=demo_event.host_district_ags,
            description=demo_event.description,
        )
        session.add(event)
        session.flush()
        append_index_log(session, event.id, "event")
    return event_slug


def _add_item(
    kb: Kb, item: DemoItem, event_slug: str | None, host_ags: str | None, today: dt.date
) -> None:
    meta = ItemMeta(
        title=item.title,
        kind=item.kind,
        summary=item.summary,
        organisation=item.organisation,
        event_slug=event_slug,
        date=today + dt.timedelta(days=item.days_offset),
        topics=list(item.topics),
        programme=item.programme,
        districts=[host_ags] if host_ags else [],
    )
    uploads = [UploadFile(f.filename, io.BytesIO(f.data)) for f in item.files]
    upload_files(kb, uploads, meta, ANONYMOUS)
