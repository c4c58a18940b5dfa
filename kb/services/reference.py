"""Reference data: districts (from a data file, so another state can be loaded), topics,
programmes and free tags as typed in forms and on the command line."""

from __future__ import annotations

import csv
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.errors import ValidationError
from kb.models import District, Event, Programme, Tag, Topic
from kb.services.context import Kb

logger = logging.getLogger(__name__)

DEFAULT_DISTRICTS = Path(__file__).resolve().parent.parent / "data" / "districts_sachsen_anhalt.csv"


def slugify(text: str) -> str:
    """ "Förderanträge & Fristen" -> "foerderantraege-fristen" (stable ASCII ids for URLs)."""
    folded = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


KINDS_OF_DISTRICT = ("Landkreis", "kreisfreie Stadt")


@dataclass(frozen=True)
class DistrictRow:
    ags: str
    name: str
    kind: str
    state: str
    map_row: int | None
    map_col: int | None


def read_districts(path: Path) -> list[DistrictRow]:
    """Read and check a district file; every problem is reported with its line number.

    CSV columns: ags, name, kind, state, and optionally map_row, map_col (the tile of the
    schematic map on /districts; rough geographic position, north at row 0).

    :raises ValidationError: naming every bad line (so one run shows all of them).
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("ags", "name", "kind") if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError(
                    f"{path.name}: Es fehlen die Spalten {', '.join(missing)} "
                    "(erwartet: ags,name,kind,state,map_row,map_col).",
                    f"{path.name}: missing columns {', '.join(missing)}.",
                )
            numbered = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(
            f"Die Datei {path.name} lässt sich nicht lesen (UTF-8-CSV erwartet): {exc}",
            f"Cannot read {path.name} (UTF-8 CSV expected): {exc}",
        ) from exc
    rows, problems, seen = [], [], set()
    for line, row in numbered:
        try:
            parsed = _district_row(row)
        except ValueError as exc:
            problems.append(f"Zeile {line}: {exc}")
            continue
        if parsed.ags in seen:
            problems.append(f"Zeile {line}: Der Gebietsschlüssel {parsed.ags} kommt doppelt vor.")
        seen.add(parsed.ags)
        rows.append(parsed)
    if not rows and not problems:
        problems.append("Die Datei enthält keine Landkreise.")
    if problems:
        raise ValidationError(
            f"{path.name}: nichts geladen. " + " ".join(problems[:20]),
            f"{path.name}: nothing loaded. {len(problems)} bad line(s).",
        )
    return rows


def _district_row(row: dict[str, str | None]) -> DistrictRow:
    """One checked line; ValueError (German) says what is wrong with it."""
    ags = (row.get("ags") or "").strip()
    name = " ".join((row.get("name") or "").split())
    kind = (row.get("kind") or "").strip()
    if not ags.isascii() or not ags.isdigit() or len(ags) > 8:
        raise ValueError(
            f"Der Gebietsschlüssel „{ags[:20]}“ besteht nicht aus (höchstens 8) Ziffern."
        )
    if not name:
        raise ValueError("Der Name fehlt.")
    if kind not in KINDS_OF_DISTRICT:
        raise ValueError(f"Die Art „{kind[:40]}“ ist weder „Landkreis“ noch „kreisfreie Stadt“.")
    return DistrictRow(
        ags,
        name[:120],
        kind,
        (row.get("state") or "").strip()[:60] or "Sachsen-Anhalt",
        _tile(row.get("map_row")),
        _tile(row.get("map_col")),
    )


def load_districts(kb: Kb, path: Path = DEFAULT_DISTRICTS) -> int:
    """Insert or update the districts listed in ``path`` (all or nothing).

    :raises ValidationError: a bad line; then nothing is written.
    """
    rows = read_districts(path)
    with kb.db.writing() as session:
        for row in rows:
            district = session.get(District, row.ags) or District(ags=row.ags)
            district.name, district.kind, district.state = row.name, row.kind, row.state
            district.map_row, district.map_col = row.map_row, row.map_col
            session.add(district)
    logger.info("Loaded %d districts from %s", len(rows), path.name)
    return len(rows)


def _tile(value: str | None) -> int | None:
    """A map tile coordinate from the data file; blank means "not on the map"."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > 40:
        raise ValueError(f"Die Kartenposition „{value[:10]}“ ist keine Zahl von 0 bis 40.")
    return int(value)


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


def _clean(name: str) -> tuple[str, str]:
    """A typed name and its slug, both cut to their columns.

    Folding (ä -> ae) makes a slug longer than its name; it is cut to the column, as
    PostgreSQL refuses what SQLite would silently store.
    """
    name = " ".join(name.split())[:120]
    return name, slugify(name)[:80].rstrip("-")


def classify_topics(session: Session, names: list[str]) -> tuple[list[Topic], list[Tag]]:
    """Split typed names into vocabulary topics and free tags (created on first use).

    Topics are a controlled vocabulary kept by Redaktion; anything typed as a
    topic that is not in it (``kb import --topic``, an old form, the API) becomes
    a free tag: never lost, never an error. A name matches a topic by slug, so
    "Förderverfahren", "foerderverfahren" and the slug itself all find it.
    """
    topics: dict[str, Topic] = {}
    unknown: list[str] = []
    for raw in names:
        name, slug = _clean(raw)
        if not slug or slug in topics:
            continue
        topic = session.scalar(
            select(Topic).where(or_(Topic.slug == slug, func.lower(Topic.name) == name.lower()))
        )
        if topic is None:
            unknown.append(name)
        else:
            topics[slug] = topic
    return list(topics.values()), tags_by_name(session, unknown)


def tags_by_name(session: Session, names: list[str]) -> list[Tag]:
    """Free tags with these names (matched by slug), created on first use."""
    tags: dict[str, Tag] = {}
    for raw in names:
        name, slug = _clean(raw)
        if not slug or slug in tags:
            continue
        tag = session.scalar(select(Tag).where(Tag.slug == slug))
        tags[slug] = tag or _create_tag(session, slug, name)
    return list(tags.values())


def _create_tag(session: Session, slug: str, name: str) -> Tag:
    """Create a tag, or take the one a concurrent upload has just created.

    On PostgreSQL two uploads naming the same new tag run side by side; the second
    insert then violates the unique slug. A savepoint keeps that from failing the
    whole upload. (SQLite serialises writers, so there it never happens.)
    """
    try:
        with session.begin_nested():
            tag = Tag(slug=slug, name=name)
            session.add(tag)
        return tag
    except IntegrityError:
        logger.info("Tag %s was created concurrently; using that one", slug)
        return session.scalars(select(Tag).where(Tag.slug == slug)).one()


def programme_name(session: Session, name: str) -> str:
    """The vocabulary's spelling of programme ``name`` ("" for none).

    :raises ValidationError: the programme is not in the vocabulary (the known ones named).
    """
    name, slug = _clean(name)
    if not name:
        return ""
    found = session.scalar(
        select(Programme.name).where(
            or_(Programme.slug == slug, func.lower(Programme.name) == name.lower())
        )
    )
    if found is None:
        known = ", ".join(session.scalars(select(Programme.name).order_by(Programme.name)))
        raise ValidationError(
            f"Das Förderprogramm „{name[:60]}“ ist nicht in der Liste. "
            f"Bekannt sind: {known or '(noch keine)'}. Die Redaktion kann es unter "
            "„Vokabular“ ergänzen.",
            f"Unknown funding programme '{name[:60]}'. Known: {known or '(none yet)'}.",
        )
    return found


def districts_file(kb: Kb) -> Path:
    """The district list this instance is for (``KB_DISTRICTS_FILE``; Sachsen-Anhalt)."""
    return Path(kb.config.get("KB_DISTRICTS_FILE") or DEFAULT_DISTRICTS)


def configured_states(kb: Kb) -> frozenset[str] | None:
    """The state(s) named in the configured district file; None (no filter) if unreadable.

    Read again only when the file changes. An unreadable file must not break every page
    that lists districts: it is logged and all districts are shown; ``kb init`` reports it.
    """
    path = districts_file(kb)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        logger.warning("District file %s not readable (%s); listing every district", path, exc)
        return None
    return _states_in(path, stamp)


@functools.lru_cache(maxsize=8)
def _states_in(path: Path, stamp: int) -> frozenset[str] | None:
    try:
        return frozenset(row.state for row in read_districts(path))
    except ValidationError as exc:
        logger.warning("District file %s: %s; listing every district", path, exc.message("en"))
        return None


def all_districts(kb: Kb, every_state: bool = False) -> list[District]:
    """The districts of the configured state, by name (for the map, lists and forms).

    Loading another state's file (``kb districts load``) adds its rows beside the old
    ones; only ``KB_DISTRICTS_FILE`` decides which state this instance shows.
    ``every_state`` lists all rows (the console's ``kb districts list``).
    """
    query = select(District).order_by(District.name)
    states = None if every_state else configured_states(kb)
    if states:
        query = query.where(District.state.in_(sorted(states)))
    with kb.db.reading() as session:
        return list(session.scalars(query))


def all_events(kb: Kb) -> list[Event]:
    """Events, newest first (for choosing one in forms)."""
    with kb.db.reading() as session:
        query = select(Event).order_by(Event.starts_on.desc().nulls_last(), Event.id.desc())
        return list(session.scalars(query))


def all_topics(kb: Kb) -> list[Topic]:
    """The topic vocabulary, by name (for the checkboxes of the forms)."""
    with kb.db.reading() as session:
        return list(session.scalars(select(Topic).order_by(func.lower(Topic.name))))


def all_programmes(kb: Kb) -> list[Programme]:
    """The programme vocabulary, by name (for the forms' select)."""
    with kb.db.reading() as session:
        return list(session.scalars(select(Programme).order_by(func.lower(Programme.name))))
