"""Topics and funding programmes as controlled vocabularies, kept by Redaktion.

Topics and programmes are the facets people filter by, so their spellings are
kept in one list: add, rename (the slug, which search filters and addresses
use, stays), describe, delete. Deleting is refused while items use an entry,
with the count, rather than silently stripping items of it. Free tags (created
on first use, see :func:`kb.services.reference.classify_topics`) are listed
here too. The lists start from ``kb/data/topics.csv`` and ``programmes.csv``
when their tables are empty (a new instance, or one from before the vocabulary).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kb.errors import NotFound, ValidationError
from kb.models import Item, Programme, Tag, Topic, item_tags, item_topics
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.directory import require_editor
from kb.services.indexing import append_index_log
from kb.services.organisations import load_organisations
from kb.services.reference import slugify

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
#: The two vocabularies: id -> (model, German label of one entry).
VOCABULARIES: dict[str, tuple[type[Topic] | type[Programme], str]] = {
    "topic": (Topic, "Thema"),
    "programme": (Programme, "Förderprogramm"),
}


@dataclass(frozen=True)
class Entry:
    id: int
    slug: str
    name: str
    description: str
    #: Items using it (all items, whatever their state: this is Redaktion's view).
    uses: int


def load_reference_data(kb: Kb) -> None:
    """``kb init``'s reference data beyond districts: organisations and vocabularies."""
    load_organisations(kb)
    seed_vocabularies(kb)


def seed_vocabularies(kb: Kb) -> None:
    """Fill an empty topic or programme list from the data files (idempotent).

    Only an empty list is filled, so entries Redaktion deleted do not come back
    on the next ``kb init``. Programmes already named on items join the list,
    so existing items stay valid.
    """
    with kb.db.writing() as session:
        if not session.scalar(select(func.count()).select_from(Topic)):
            for name, description in _rows(DATA / "topics.csv"):
                session.add(Topic(slug=slugify(name)[:80], name=name, description=description))
        if not session.scalar(select(func.count()).select_from(Programme)):
            rows = dict(_rows(DATA / "programmes.csv"))
            for name in session.scalars(select(Item.programme).distinct()):
                if name and slugify(name) not in {slugify(n) for n in rows}:
                    rows[name] = ""
            slugs: set[str] = set()
            for name, description in rows.items():
                slug = slugify(name)[:80].rstrip("-") or "programm"
                if slug not in slugs:
                    slugs.add(slug)
                    session.add(Programme(slug=slug, name=name[:120], description=description))


def _rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["name"].strip(), r.get("description", "").strip()) for r in csv.DictReader(fh)]


def _model(vocabulary: str) -> tuple[type[Topic] | type[Programme], str]:
    if vocabulary not in VOCABULARIES:
        raise NotFound("Dieses Vokabular gibt es nicht.", "No such vocabulary.")
    return VOCABULARIES[vocabulary]


def _uses(session: Session, vocabulary: str, entry: Topic | Programme) -> int:
    if vocabulary == "topic":
        query = (
            select(func.count()).select_from(item_topics).where(item_topics.c.topic_id == entry.id)
        )
    else:
        query = select(func.count()).select_from(Item).where(Item.programme == entry.name)
    return session.scalar(query) or 0


def entries(kb: Kb, vocabulary: str, viewer: Viewer) -> list[Entry]:
    """One vocabulary with usage counts (Redaktion only)."""
    require_editor(viewer)
    model, _ = _model(vocabulary)
    with kb.db.reading() as session:
        rows = session.scalars(select(model).order_by(func.lower(model.name)))
        return [
            Entry(r.id, r.slug, r.name, r.description, _uses(session, vocabulary, r)) for r in rows
        ]


def public_topics(kb: Kb) -> list[Topic]:
    """The topic list for /topics: names and descriptions only (no counts that could
    reveal hidden items)."""
    with kb.db.reading() as session:
        return list(session.scalars(select(Topic).order_by(func.lower(Topic.name))))


def _check_name(
    session: Session, model: type[Topic] | type[Programme], name: str, own: int | None
) -> str:
    name = " ".join(name.split())[:120]
    if not name or not slugify(name):
        raise ValidationError("Bitte geben Sie einen Namen an.", "Please give a name.")
    twin = session.scalar(
        select(model.id).where(func.lower(model.name) == name.lower(), model.id != (own or 0))
    )
    if twin is None and own is None:
        twin = session.scalar(select(model.id).where(model.slug == slugify(name)[:80]))
    if twin is not None:
        raise ValidationError(f"„{name}“ steht schon in der Liste.", f"'{name}' is already listed.")
    return name


def add_entry(kb: Kb, vocabulary: str, name: str, description: str, viewer: Viewer) -> None:
    require_editor(viewer)
    model, label = _model(vocabulary)
    with kb.db.writing() as session:
        name = _check_name(session, model, name, None)
        session.add(
            model(
                slug=slugify(name)[:80].rstrip("-"),
                name=name,
                description=description.strip()[:5000],
            )
        )
        audit.record(session, "vocabulary_changed", viewer, detail=f"{label} angelegt: {name}")


def update_entry(
    kb: Kb, vocabulary: str, entry_id: int, name: str, description: str, viewer: Viewer
) -> None:
    """Rename or describe an entry; items using it are re-indexed (and, for programmes,
    their stored name follows)."""
    require_editor(viewer)
    model, label = _model(vocabulary)
    with kb.db.writing() as session:
        entry = _entry(session, model, entry_id)
        old = entry.name
        entry.name = _check_name(session, model, name, entry.id)
        entry.description = description.strip()[:5000]
        if vocabulary == "topic":
            ids = set(
                session.scalars(
                    select(item_topics.c.item_id).where(item_topics.c.topic_id == entry.id)
                )
            )
        else:
            ids = set(session.scalars(select(Item.id).where(Item.programme == old)))
            session.execute(update(Item).where(Item.programme == old).values(programme=entry.name))
        if old != entry.name:
            for item_id in sorted(ids):
                append_index_log(session, item_id)
        audit.record(
            session, "vocabulary_changed", viewer, detail=f"{label}: {old} -> {entry.name}"
        )
    kb.job_signal.set()


def _entry(
    session: Session, model: type[Topic] | type[Programme], entry_id: int
) -> Topic | Programme:
    entry = session.get(model, entry_id)
    if entry is None:
        raise NotFound("Diesen Eintrag gibt es im Vokabular nicht.", "No such entry.")
    return entry


def delete_entry(kb: Kb, vocabulary: str, entry_id: int, viewer: Viewer) -> None:
    """Delete an unused entry.

    :raises ValidationError: items use it (counted), so nothing loses its topic silently.
    """
    require_editor(viewer)
    model, label = _model(vocabulary)
    with kb.db.writing() as session:
        entry = _entry(session, model, entry_id)
        uses = _uses(session, vocabulary, entry)
        if uses:
            raise ValidationError(
                f"{label} „{entry.name}“ wird von {uses} "
                f"{'Eintrag' if uses == 1 else 'Einträgen'} verwendet und kann nicht gelöscht "
                "werden. Benennen Sie es um oder entfernen Sie es zuerst bei diesen Einträgen.",
                f"'{entry.name}' is used by {uses} item(s) and cannot be deleted.",
            )
        audit.record(
            session, "vocabulary_changed", viewer, detail=f"{label} gelöscht: {entry.name}"
        )
        session.delete(entry)


def tags_in_use(kb: Kb, viewer: Viewer) -> list[tuple[str, int]]:
    """Free tags with how many items carry them (Redaktion: candidates for the vocabulary)."""
    require_editor(viewer)
    with kb.db.reading() as session:
        count = func.count(item_tags.c.item_id)
        rows = session.execute(
            select(Tag.name, count)
            .outerjoin(item_tags, item_tags.c.tag_id == Tag.id)
            .group_by(Tag.id, Tag.name)
            .order_by(count.desc(), func.lower(Tag.name))
        )
        return [(name, n) for name, n in rows]
