"""Search as the pages, the API and the CLI see it.

The index filters by the viewer's principals; because the index lags the
database by a moment, the hits of the shown page are re-checked against the
database before they are returned (an item unpublished a second ago must not
appear).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.models import KINDS, UNITS, Item
from kb.search import query as search_query
from kb.services.access import Viewer, can_view
from kb.services.context import Kb


@dataclass
class PageView:
    number: int
    label: str  # "Folie 3"
    snippet: str  # safe HTML with <mark>


@dataclass
class HitView:
    item_id: int
    title: str
    kind: str
    kind_label: str
    score: float
    pages: list[PageView]
    files: list[dict[str, str]] = field(default_factory=list)
    summary: str = ""


@dataclass
class SearchPage:
    query: str
    total: int
    truncated: bool
    page: int
    page_size: int
    hits: list[HitView]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def run_search(kb: Kb, text: str, viewer: Viewer, page: int = 1, page_size: int = 10) -> SearchPage:
    """Search ``text`` for ``viewer`` and return one page of items with their best pages."""
    page = max(1, page)
    result = search_query.search(kb.index, text, viewer.principals(), page, page_size)
    ids = [hit.item_id for hit in result.hits]
    with kb.db.reading() as session:
        items = {
            item.id: item
            for item in session.scalars(
                select(Item).where(Item.id.in_(ids)).options(selectinload(Item.files))
            )
        }
        hits = [
            _view(hit, items[hit.item_id])
            for hit in result.hits
            if hit.item_id in items and can_view(viewer, items[hit.item_id])
        ]
    return SearchPage(text, result.total, result.truncated, page, page_size, hits)


def _view(hit: search_query.ItemHit, item: Item) -> HitView:
    pages = [
        PageView(p.page, f"{UNITS.get(p.unit, 'Seite')} {p.page}", p.snippet) for p in hit.pages
    ]
    files = [{"name": f.filename, "sha256": f.sha256} for f in item.files if f.is_current]
    return HitView(
        item.id,
        item.title,
        item.kind,
        KINDS.get(item.kind, item.kind),
        hit.score,
        pages,
        files,
        item.summary,
    )
