"""Search as the pages, the API and the CLI see it.

The index filters by the viewer's principals; because the index lags the
database by a moment, the hits of the shown page are re-checked against the
database before they are returned (an item unpublished a second ago must not
appear). Facet values get their display labels here, from the database.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.models import KINDS, UNITS, District, Event, EventSeries, Item, QAEntry, Topic
from kb.search import query as search_query
from kb.search.synonyms import load_synonyms
from kb.services.access import Viewer, can_view, can_view_object
from kb.services.context import Kb
from kb.services.validity import VALIDITY_LABELS
from kb.services.validity import status as validity_status

#: Longest search text taken from a person; longer input is cut, not refused.
MAX_QUERY_LENGTH = 500


def search_text(raw: str) -> str:
    """Clean free search text as typed or pasted: control characters become spaces.

    Text pasted from a PDF can carry NUL or escape characters; the search should still run on
    the words around them (and PostgreSQL could not even compare text holding a NUL).

    >>> search_text("Kosten\\x00plan\\x1b ")
    'Kosten plan'
    """
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in raw)
    return cleaned.strip()[:MAX_QUERY_LENGTH].strip()


#: Facet name -> German heading, in display order.
FACET_LABELS = {
    "kind": "Art",
    "event": "Veranstaltung",
    "district": "Landkreis/Stadt",
    "topic": "Thema",
    "year": "Jahr",
    "speaker": "Vortragende",
    "organisation": "Organisation",
    "programme": "Förderprogramm",
    "filetype": "Dateityp",
    "series": "Veranstaltungsreihe",
    "validity": "Gültigkeit",
}
#: Kinds of the index documents that are not items (facet "kind" values).
OBJECT_KINDS = {"veranstaltung": "Veranstaltung", "frage": "Frage und Antwort"}
SORTS = ("relevance", "date")


@dataclass
class PageView:
    number: int
    label: str  # "Folie 3"
    snippet: str  # safe HTML with <mark>


@dataclass
class HitView:
    """One hit as pages show it; ``item_id`` is the id of the item, event or Q&A entry."""

    item_id: int
    title: str
    kind: str
    kind_label: str
    score: float
    pages: list[PageView]
    files: list[dict[str, str]] = field(default_factory=list)
    summary: str = ""
    #: "item", "event" or "qa"
    object_type: str = "item"
    #: The path of the object's page (/items/12, /events/<slug>, /qa/5).
    path: str = ""
    #: Guidance only: current, upcoming, superseded, expired (German label in ``validity_label``).
    validity: str = ""
    validity_label: str = ""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetView:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class SearchPage:
    query: str
    total: int
    truncated: bool
    page: int
    page_size: int
    hits: list[HitView]
    facets: list[FacetView] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    #: More than ``search_query.MAX_DOCS`` matched ("mehr als 1.000"); total is the limit.
    over_limit: bool = False
    #: The search's time box cut it off; total counts what was found until then.
    cut_off: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def run_search(
    kb: Kb,
    text: str,
    viewer: Viewer,
    page: int = 1,
    page_size: int = 10,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "relevance",
) -> SearchPage:
    """Search ``text`` for ``viewer`` and return one page of items with best pages and facets."""
    clean = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if k in FACET_LABELS}
    request = search_query.SearchRequest(
        text=text,
        filters=clean,
        sort=sort if sort in SORTS else "relevance",
        page=max(1, page),
        page_size=page_size,
    )
    synonyms = load_synonyms(_synonyms_path(kb))
    result = search_query.search(kb.index, request, viewer.principals(), synonyms)
    with kb.db.reading() as session:
        hits = _hit_views(session, result.hits, viewer, kb.today())
        facets = _facet_views(session, result.facets, clean)
    return SearchPage(
        text,
        result.total,
        result.truncated,
        request.page,
        page_size,
        hits,
        facets,
        clean,
        request.sort,
        result.over_limit,
        result.cut_off,
    )


def _synonyms_path(kb: Kb) -> Path | None:
    path = kb.config.get("KB_SYNONYMS_FILE")
    return Path(path) if path else None


def _hit_views(
    session: Session, found: list[search_query.ItemHit], viewer: Viewer, today: dt.date
) -> list[HitView]:
    """Views of the hits the viewer may see *now* (the index lags the database a moment)."""
    wanted: dict[str, list[int]] = {}
    for hit in found:
        wanted.setdefault(hit.object_type, []).append(hit.object_id)
    items = _load(session, Item, wanted.get("item"), selectinload(Item.files))
    events = _load(session, Event, wanted.get("event"))
    qas = _load(session, QAEntry, wanted.get("qa"))
    views = []
    for hit in found:
        if hit.object_type == "item" and hit.object_id in items:
            item = items[hit.object_id]
            if can_view(viewer, item):
                views.append(_item_view(hit, item, today))
        elif hit.object_type == "event" and hit.object_id in events:
            event = events[hit.object_id]
            if can_view_object(viewer, event.access):
                views.append(_object_view(hit, event.title, f"/events/{event.slug}", event.city))
        elif hit.object_type == "qa" and hit.object_id in qas:
            qa = qas[hit.object_id]
            if can_view_object(viewer, qa.access):
                views.append(_object_view(hit, qa.question, f"/qa/{qa.id}", qa.answer))
    return views


def _load(session: Session, model, ids: list[int] | None, *options) -> dict:  # type: ignore[no-untyped-def]
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(*options)
    return {row.id: row for row in session.scalars(query)}


def _item_view(hit: search_query.ItemHit, item: Item, today: dt.date) -> HitView:
    pages = [
        PageView(p.page, f"{UNITS.get(p.unit, 'Seite')} {p.page}", p.snippet) for p in hit.pages
    ]
    files = [{"name": f.filename, "sha256": f.sha256} for f in item.files if f.is_current]
    status = validity_status(item, today) or ""
    return HitView(
        item.id,
        item.title,
        item.kind,
        KINDS.get(item.kind, item.kind),
        hit.score,
        pages,
        files,
        item.summary,
        path=f"/items/{item.id}",
        validity=status,
        validity_label=VALIDITY_LABELS.get(status, ""),
    )


def _object_view(hit: search_query.ItemHit, title: str, path: str, summary: str) -> HitView:
    """An event or Q&A entry: no files; a Q&A entry's snippet has no page label."""
    pages = [PageView(p.page, "", p.snippet) for p in hit.pages]
    return HitView(
        hit.object_id,
        title,
        hit.kind,
        OBJECT_KINDS.get(hit.kind, hit.kind),
        hit.score,
        pages,
        [],
        summary,
        object_type=hit.object_type,
        path=path,
    )


def _facet_views(
    session: Session,
    counts: dict[str, list[tuple[str, int]]],
    selected: Mapping[str, Sequence[str]],
) -> list[FacetView]:
    labels = _labels(session, counts)
    views = []
    for name, heading in FACET_LABELS.items():
        values = [
            FacetValue(v, labels.get((name, v), v), n, v in selected.get(name, ()))
            for v, n in counts.get(name, [])
        ]
        if values:
            views.append(FacetView(name, heading, values))
    return views


def _labels(
    session: Session, counts: dict[str, list[tuple[str, int]]]
) -> dict[tuple[str, str], str]:
    """Display names for values stored as keys (kind ids, event slugs, AGS, topic slugs)."""
    labels = {("kind", k): v for k, v in {**KINDS, **OBJECT_KINDS}.items()}
    labels.update({("validity", k): v.capitalize() for k, v in VALIDITY_LABELS.items()})
    wanted = {name: [v for v, _ in values] for name, values in counts.items()}
    if wanted.get("event"):
        for slug, title in session.execute(
            select(Event.slug, Event.title).where(Event.slug.in_(wanted["event"]))
        ):
            labels[("event", slug)] = title
    if wanted.get("district"):
        for ags, name in session.execute(
            select(District.ags, District.name).where(District.ags.in_(wanted["district"]))
        ):
            labels[("district", ags)] = name
    if wanted.get("topic"):
        for slug, name in session.execute(
            select(Topic.slug, Topic.name).where(Topic.slug.in_(wanted["topic"]))
        ):
            labels[("topic", slug)] = name
    if wanted.get("series"):
        for slug, title in session.execute(
            select(EventSeries.slug, EventSeries.title).where(
                EventSeries.slug.in_(wanted["series"])
            )
        ):
            labels[("series", slug)] = title
    return labels
