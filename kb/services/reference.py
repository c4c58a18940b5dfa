"""Reference data: districts (from a data file, so another state can be loaded) and topics."""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.errors import ValidationError
from kb.models import District, Event, Topic
from kb.services.context import Kb

logger = logging.getLogger(__name__)

DEFAULT_DISTRICTS = Path(__file__).resolve().parent.parent / "data" / "districts_sachsen_anhalt.csv"


def slugify(text: str) -> str:
    """ "Förderanträge & Fristen" -> "foerderantraege-fristen" (stable ASCII ids for URLs)."""
    folded = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def load_districts(kb: Kb, path: Path = DEFAULT_DISTRICTS) -> int:
    """Insert or update the districts listed in ``path``.

    CSV columns: ags, name, kind, state, and optionally map_row, map_col (the tile of the
    schematic map on /districts; rough geographic position, north at row 0).
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with kb.db.writing() as session:
        for row in rows:
            district = session.get(District, row["ags"]) or District(ags=row["ags"])
            district.name, district.kind = row["name"], row["kind"]
            district.state = row.get("state") or "Sachsen-Anhalt"
            district.map_row = _tile(row.get("map_row"))
            district.map_col = _tile(row.get("map_col"))
            session.add(district)
    logger.info("Loaded %d districts from %s", len(rows), path.name)
    return len(rows)


def _tile(value: str | None) -> int | None:
    """A map tile coordinate from the data file; blank means "not on the map"."""
    return int(value) if value and value.strip() else None


def districts_by_ags(session: Session, keys: list[str]) -> list[District]:
    """The districts with these keys, or a clear error naming the unknown ones."""
    keys = [k.strip() for k in keys if k.strip()]
    found = {d.ags: d for d in session.scalars(select(District).where(District.ags.in_(keys)))}
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise ValidationError(
            f"Unbekannter Gebietsschlüssel (AGS): {', '.join(unknown)}.",
            f"Unknown district key (AGS): {', '.join(unknown)}.",
        )
    return [found[k] for k in dict.fromkeys(keys)]


def topics_by_name(session: Session, names: list[str]) -> list[Topic]:
    """Topics with these names, created on first use (free tagging for now)."""
    topics: dict[str, Topic] = {}
    for name in names:
        name = " ".join(name.split())[:120]
        # Folding (ä -> ae) makes a slug longer than its name; cut it to the column, as
        # PostgreSQL refuses what SQLite would silently store.
        slug = slugify(name)[:80].rstrip("-")
        if not slug or slug in topics:
            continue
        topic = session.scalar(select(Topic).where(Topic.slug == slug))
        topics[slug] = topic or _create_topic(session, slug, name)
    return list(topics.values())


def _create_topic(session: Session, slug: str, name: str) -> Topic:
    """Create a topic, or take the one a concurrent upload has just created.

    On PostgreSQL two uploads naming the same new topic run side by side; the second
    insert then violates the unique slug. A savepoint keeps that from failing the
    whole upload. (SQLite serialises writers, so there it never happens.)
    """
    try:
        with session.begin_nested():
            topic = Topic(slug=slug, name=name)
            session.add(topic)
        return topic
    except IntegrityError:
        logger.info("Topic %s was created concurrently; using that one", slug)
        return session.scalars(select(Topic).where(Topic.slug == slug)).one()


def all_districts(kb: Kb) -> list[District]:
    with kb.db.reading() as session:
        return list(session.scalars(select(District).order_by(District.name)))


def all_events(kb: Kb) -> list[Event]:
    """Events, newest first (for choosing one in forms)."""
    with kb.db.reading() as session:
        query = select(Event).order_by(Event.starts_on.desc().nulls_last(), Event.id.desc())
        return list(session.scalars(query))
