"""Queries: parse, filter by the viewer's principals inside the index, group by item.

The permission filter is a Whoosh ``filter`` query, so totals, snippets and
paging only ever see documents the viewer may read; nothing is dropped after
paging. Hits are grouped by item: each result is an item with its best pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from whoosh import highlight
from whoosh.collectors import TimeLimitCollector
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import And, ConstantScoreQuery, Or, Term
from whoosh.searching import TimeLimit as TimeLimitReached

from kb.search.index import SearchIndex

logger = logging.getLogger(__name__)

SEARCH_FIELDS = ["title", "title_exact", "content", "content_exact", "summary"]
#: Page documents looked at per query; beyond this, totals are "more than".
MAX_DOCS = 1000
PAGES_PER_ITEM = 3
TIME_LIMIT_SECONDS = 5.0


@dataclass
class PageHit:
    page: int
    unit: str
    snippet: str  # HTML with <mark>; the text around it is escaped


@dataclass
class ItemHit:
    item_id: int
    title: str
    kind: str
    score: float
    pages: list[PageHit] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[ItemHit]
    #: True when the total is a lower bound (limit reached or time box hit).
    truncated: bool = False


class _MarkFormatter(highlight.HtmlFormatter):
    """Snippet fragments with a plain <mark> around matched terms; other text escaped."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):  # type: ignore[no-untyped-def]
        word = highlight.htmlescape(highlight.get_text(text, token, replace))
        return f"<mark>{word}</mark>"


def parse(text: str, schema: Any):  # type: ignore[no-untyped-def]
    """All words must match (AND) by default, as people expect of a document search."""
    parser = MultifieldParser(SEARCH_FIELDS, schema=schema, group=AndGroup)
    return parser.parse(text)


def with_permission_filter(query, principals: list[str]):  # type: ignore[no-untyped-def]
    """AND the query with the viewer's principals, scoring nothing for them.

    The filter is part of the query rather than a collector filter because
    Whoosh's time-limit collector bypasses a wrapped filter collector; inside
    the query it can never be skipped, and totals count only visible documents.
    """
    allow = ConstantScoreQuery(Or([Term("allow", p) for p in principals]), 0.0)
    return And([query, allow])


def search(
    index: SearchIndex,
    text: str,
    principals: list[str],
    page: int = 1,
    page_size: int = 10,
) -> SearchResult:
    """Search ``text`` as a viewer holding ``principals``; return page ``page`` of items."""
    text = text.strip()
    if not text or not principals:
        return SearchResult(0, [])
    with index.searching() as searcher:
        query = with_permission_filter(parse(text, searcher.schema), principals)
        collector = searcher.collector(limit=MAX_DOCS)
        timed = TimeLimitCollector(collector, TIME_LIMIT_SECONDS, use_alarm=False)
        truncated = False
        try:
            searcher.search_with_collector(query, timed)
        except TimeLimitReached as exc:
            logger.warning("Search for %r cut off: %s", text, exc)
            truncated = True
        results = timed.results()
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = _MarkFormatter()
        grouped = _group(results)
        truncated = truncated or results.scored_length() >= MAX_DOCS
        start = (max(page, 1) - 1) * page_size
        return SearchResult(len(grouped), grouped[start : start + page_size], truncated)


def _group(results) -> list[ItemHit]:  # type: ignore[no-untyped-def]
    by_item: dict[int, ItemHit] = {}
    for hit in results:
        item_id = int(hit["item_id"])
        entry = by_item.get(item_id)
        if entry is None:
            entry = by_item[item_id] = ItemHit(item_id, hit["title"], hit["kind"], hit.score)
        if len(entry.pages) < PAGES_PER_ITEM and hit.get("page"):
            snippet = hit.highlights("content", top=2) or ""
            entry.pages.append(PageHit(int(hit["page"]), hit.get("unit") or "page", snippet))
    return list(by_item.values())
