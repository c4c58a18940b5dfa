"""The Mappe: collect items and searches, order them, title them, hand them out as one PDF.

Access is decided when the Mappe is shown or printed, never when an entry is
added: an item that was moved back to Entwurf, or made internal, drops out of
the page, the PDF and the ZIP for everyone who may no longer see it; the page
only says how many entries are currently unavailable, never which.

Limits (documented in the README): at most :data:`MAX_ENTRIES` entries, a
saved search contributes its first :data:`ITEMS_PER_SEARCH` hits, the PDF
holds at most :data:`MAX_ITEMS` items and each item at most
:data:`PAGES_PER_ITEM` pages/slides of text (a handout summarises, it does
not reprint a 600-page report).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kb.errors import NotFound, ValidationError
from kb.models import KINDS, FileVersion, Item, Mappe, MappeEntry
from kb.services.access import Viewer, can_view
from kb.services.context import Kb
from kb.services.discovery import clean_query_string

logger = logging.getLogger(__name__)

MAX_ENTRIES = 100
ITEMS_PER_SEARCH = 10
MAX_ITEMS = 50
PAGES_PER_ITEM = 12


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str  # "item" or "search"
    title: str
    detail: str
    url_item_id: int | None = None
    query_string: str = ""


@dataclass(frozen=True)
class MappeView:
    title: str
    introduction: str
    entries: list[EntryView]
    #: Entries the viewer may (no longer) see: counted, never named.
    unavailable: int


def _get(session: Session, owner_key: str, create: bool = False) -> Mappe | None:
    mappe = session.scalar(select(Mappe).where(Mappe.owner_key == owner_key))
    if mappe is None and create:
        mappe = Mappe(owner_key=owner_key)
        session.add(mappe)
        session.flush()
    return mappe


def view(kb: Kb, owner_key: str | None, viewer: Viewer) -> MappeView:
    """The Mappe as the viewer may see it now."""
    if not owner_key:
        return MappeView("Meine Mappe", "", [], 0)
    with kb.db.reading() as session:
        mappe = _get(session, owner_key)
        if mappe is None:
            return MappeView("Meine Mappe", "", [], 0)
        items = _items(session, [e.item_id for e in mappe.entries if e.item_id])
        shown, hidden = [], 0
        for e in mappe.entries:
            if e.item_id is None:
                shown.append(EntryView(e.id, "search", e.label, "Suche", None, e.query_string))
            elif e.item_id in items and can_view(viewer, items[e.item_id]):
                item = items[e.item_id]
                shown.append(EntryView(e.id, "item", item.title, KINDS.get(item.kind, ""), item.id))
            else:
                hidden += 1
        return MappeView(mappe.title, mappe.introduction, shown, hidden)


def _items(session: Session, ids: list[int]) -> dict[int, Item]:
    if not ids:
        return {}
    query = select(Item).where(Item.id.in_(ids)).options(selectinload(Item.event))
    return {i.id: i for i in session.scalars(query)}


def count(kb: Kb, owner_key: str | None) -> int:
    if not owner_key:
        return 0
    with kb.db.reading() as session:
        query = (
            select(func.count(MappeEntry.id))
            .join(Mappe, Mappe.id == MappeEntry.mappe_id)
            .where(Mappe.owner_key == owner_key)
        )
        return int(session.scalar(query) or 0)


def _append(session: Session, mappe: Mappe, entry: MappeEntry) -> None:
    if len(mappe.entries) >= MAX_ENTRIES:
        raise ValidationError(
            f"Eine Mappe fasst höchstens {MAX_ENTRIES} Einträge.",
            f"A Mappe holds at most {MAX_ENTRIES} entries.",
        )
    entry.position = max((e.position for e in mappe.entries), default=0) + 1
    mappe.entries.append(entry)


def add_item(kb: Kb, owner_key: str, item_id: int, viewer: Viewer) -> bool:
    """Add an item the viewer may see; False if it is already in the Mappe.

    :raises NotFound: the item does not exist or the viewer may not see it.
    """
    with kb.db.writing() as session:
        item = session.get(Item, item_id)
        if item is None or not can_view(viewer, item):
            raise NotFound("Diesen Eintrag gibt es nicht.", "This item does not exist.")
        mappe = _get(session, owner_key, create=True)
        assert mappe is not None
        if any(e.item_id == item_id for e in mappe.entries):
            return False
        _append(session, mappe, MappeEntry(item_id=item_id))
        return True


def add_search(kb: Kb, owner_key: str, query_string: str, label: str) -> None:
    """Add a search; its first hits are taken when the PDF is made, as the viewer sees them."""
    qs = clean_query_string(query_string)
    label = " ".join(label.split())[:200] or "Suche"
    with kb.db.writing() as session:
        mappe = _get(session, owner_key, create=True)
        assert mappe is not None
        _append(session, mappe, MappeEntry(query_string=qs, label=label))


def _entry(session: Session, owner_key: str | None, entry_id: int) -> tuple[Mappe, MappeEntry]:
    mappe = _get(session, owner_key) if owner_key else None
    entry = next((e for e in mappe.entries if e.id == entry_id), None) if mappe else None
    if mappe is None or entry is None:
        raise NotFound("Diesen Mappeneintrag gibt es nicht.", "No such Mappe entry.")
    return mappe, entry


def remove(kb: Kb, owner_key: str | None, entry_id: int) -> None:
    with kb.db.writing() as session:
        mappe, entry = _entry(session, owner_key, entry_id)
        mappe.entries.remove(entry)


def move(kb: Kb, owner_key: str | None, entry_id: int, direction: str) -> None:
    """Swap an entry with its neighbour ("up" or "down"); at the edge nothing happens."""
    if direction not in ("up", "down"):
        raise ValidationError("Unbekannte Richtung.", "Unknown direction.")
    with kb.db.writing() as session:
        mappe, entry = _entry(session, owner_key, entry_id)
        entries = list(mappe.entries)
        index = entries.index(entry)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(entries):
            entry.position, entries[other].position = entries[other].position, entry.position


def update(kb: Kb, owner_key: str, title: str, introduction: str) -> None:
    title = " ".join(title.split())[:200]
    if not title:
        raise ValidationError("Bitte geben Sie der Mappe einen Titel.", "Please give a title.")
    with kb.db.writing() as session:
        mappe = _get(session, owner_key, create=True)
        assert mappe is not None
        mappe.title, mappe.introduction = title, introduction[:5000]


def printable_item_ids(kb: Kb, owner_key: str | None, viewer: Viewer) -> tuple[str, str, list[int]]:
    """Title, introduction and the ids of the items to print, in order, deduplicated.

    Searches are run now, for this viewer, so they only contribute what it may see.
    """
    from kb.services.search import FACET_LABELS, run_search

    title, intro, ids = "Meine Mappe", "", []
    current = view(kb, owner_key, viewer)
    title, intro = current.title, current.introduction
    for entry in current.entries:
        if entry.url_item_id is not None:
            ids.append(entry.url_item_id)
            continue
        args = parse_qs(entry.query_string)
        filters = {k: v for k, v in args.items() if k in FACET_LABELS}
        text = (args.get("q") or [""])[0]
        sort = (args.get("sort") or ["relevance"])[0]
        found = run_search(kb, text, viewer, page_size=ITEMS_PER_SEARCH, filters=filters, sort=sort)
        # Items only: a search also finds events and Q&A entries, which have no handout here.
        ids.extend(h.item_id for h in found.hits if h.object_type == "item")
    unique = list(dict.fromkeys(ids))[:MAX_ITEMS]
    return title, intro, unique


def files_of(kb: Kb, item_ids: list[int], viewer: Viewer) -> list[tuple[Item, FileVersion]]:
    """The current files of the items the viewer may see (for the ZIP of originals)."""
    with kb.db.reading() as session:
        items = _items(session, item_ids)
        out = []
        for item_id in item_ids:
            item = items.get(item_id)
            if item is None or not can_view(viewer, item):
                continue
            out.extend((item, f) for f in item.files if f.is_current)
        return out
