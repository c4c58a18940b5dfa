"""Searching: parse, filter by the viewer's principals inside the index, facets, best pages.

A query matches item documents (one per item, with the text of all its pages),
so AND/NOT/phrases apply to whole documents and totals and facets count items.
The permission filter is applied while Whoosh collects (``kb.search.filtering``),
so totals, snippets, facet counts and paging only ever see what the viewer may
read; nothing is dropped after paging. At most :data:`MAX_DOCS` items are
collected (the best ones, or the newest when sorting by date): totals and facet
counts are exact up to that and marked as a lower bound beyond it or when the
time box hit. For the items on the shown page only, a second small query over
their page documents finds the best pages and cuts highlighted snippets.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from whoosh.query import Every, Query
from whoosh.searching import TimeLimit as TimeLimitReached

from kb.search import querylang, rerank
from kb.search.filtering import ITEM_CLAUSE, MaskedCollector, permission_clause
from kb.search.index import SearchIndex
from kb.search.schema import FACETS
from kb.search.segments import Clause, SegmentCache
from kb.search.snippets import PageHit, best_pages

logger = logging.getLogger(__name__)

#: Fields of the item document a query is parsed over (see kb/search/schema.py); the
#: exact ones only rank, in a second pass over the best matches (kb/search/rerank.py).
SEARCH_FIELDS = ["title", "alltext", "summary", *rerank.EXACT_FIELDS]
MAX_DOCS = 1000
TIME_LIMIT_SECONDS = 5.0


@dataclass(frozen=True)
class SearchRequest:
    """Everything that decides a result page; the URL of /search carries all of it."""

    text: str
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: str = "relevance"  # or "date"
    page: int = 1
    page_size: int = 10
    include_archived: bool = False


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
    #: facet -> [(value, item count)], most frequent first
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: True when total and counts are lower bounds (limit reached or time box hit).
    truncated: bool = False


def facet_clauses(filters: Mapping[str, Sequence[str]]) -> list[Clause]:
    """One clause per facet: any of its chosen values (OR), facets combined with AND."""
    clauses: list[Clause] = []
    for name, values in filters.items():
        fieldname = FACETS.get(name)
        chosen = [v for v in values if v]
        if fieldname and chosen:
            clauses.append([(fieldname, v) for v in chosen])
    return clauses


def search(
    index: SearchIndex,
    request: SearchRequest,
    principals: Sequence[str],
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> SearchResult:
    """Run ``request`` for a viewer holding ``principals``; one page of items plus facets."""
    if not principals:
        return SearchResult(0, [])
    with index.searching() as searcher:
        parser = querylang.make_parser(SEARCH_FIELDS, searcher.schema)
        user_query = querylang.parse(request.text, parser, synonyms)
        if user_query is None:
            if not any(request.filters.values()):
                return SearchResult(0, [])
            user_query = Every()  # browsing by filters alone
        user_query = querylang.bound_prefixes(user_query, searcher.reader())
        matching = rerank.without_exact(user_query)
        clauses = [permission_clause(principals), ITEM_CLAUSE, *facet_clauses(request.filters)]
        results, truncated = _collect(searcher, index.segments, matching, clauses, request.sort)
        scored = [(docnum, score or 0.0) for score, docnum in results.top_n]
        if request.sort != "date":
            scored = rerank.rerank(searcher, scored, rerank.exact_terms(user_query))
        hits, facets = _group(scored, searcher, index.segments)
        truncated = truncated or len(scored) >= MAX_DOCS
        start = (max(request.page, 1) - 1) * request.page_size
        page_hits = hits[start : start + request.page_size]
        pages = best_pages(searcher, [h.item_id for h in page_hits], _content_terms(matching))
        for hit in page_hits:
            hit.pages = pages.get(hit.item_id, [])
        return SearchResult(len(hits), page_hits, facets, truncated)


def _collect(searcher, cache: SegmentCache, query: Query, clauses: list[Clause], sort: str):  # type: ignore[no-untyped-def]
    if sort == "date":
        collector = searcher.collector(limit=MAX_DOCS, sortedby="date", reverse=True)
    else:
        collector = searcher.collector(limit=MAX_DOCS)
    masked = MaskedCollector(collector, cache, clauses, TIME_LIMIT_SECONDS)
    try:
        searcher.search_with_collector(query, masked)
        truncated = False
    except TimeLimitReached:
        logger.warning("Search cut off after %.1f s: %s", TIME_LIMIT_SECONDS, query)
        truncated = True
    return masked.results(), truncated


def _group(scored: list[tuple[int, float]], searcher, cache: SegmentCache):  # type: ignore[no-untyped-def]
    """Items in result order and facet counts over them (item fields cached per segment)."""
    infos = cache.item_fields(searcher, [docnum for docnum, _score in scored])
    hits = [
        ItemHit(info.item_id, info.title, info.kind, score)
        for (_docnum, score), info in zip(scored, infos, strict=True)
    ]
    pairs = Counter(chain.from_iterable(info.facets for info in infos))
    facets: dict[str, list[tuple[str, int]]] = {}
    for (name, value), n in pairs.most_common():
        facets.setdefault(name, []).append((value, n))
    return hits, facets


def _content_terms(query: Query) -> list[str]:
    """The (analysed) words of the query as they are indexed in page text."""
    return sorted({text for field, text in query.iter_all_terms() if field == "alltext"})
