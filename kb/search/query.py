"""Searching: parse, filter by the viewer's principals inside the index, facets, best pages.

A query matches item documents (one per item, with the text of all its pages),
so AND/NOT/phrases apply to whole documents and totals and facets count items.
The permission filter is applied while Whoosh collects (``kb.search.filtering``),
so totals, snippets, facet counts and paging only ever see what the viewer may
read; nothing is dropped after paging. At most :data:`MAX_DOCS` items are
kept (the best ones, or the newest when sorting by date): totals and facet counts
are exact up to that and marked as a lower bound beyond it or when the time box
hit. One item more than that is collected, so that exactly :data:`MAX_DOCS`
matches count as exact and only one more marks the total "more than". For the
items on the shown page only, a second small query over their page documents
finds the best pages and cuts highlighted snippets.
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
from kb.search.segments import Clause, ItemFields, SegmentCache
from kb.search.snippets import PageHit, best_pages

logger = logging.getLogger(__name__)

#: How much a guidance status scales a score (kept in step with kb.services.validity).
RANK_FACTORS: dict[str, float] = {"superseded": 0.4, "expired": 0.5, "upcoming": 0.9}

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
    """One found object: an item, or an event ("e3") or Q&A entry ("q5") by its key."""

    key: str
    title: str
    kind: str
    score: float
    pages: list[PageHit] = field(default_factory=list)

    @property
    def object_type(self) -> str:
        return {"e": "event", "q": "qa"}.get(self.key[:1], "item")

    @property
    def object_id(self) -> int:
        return int(self.key.lstrip("eq"))


@dataclass
class SearchResult:
    total: int
    hits: list[ItemHit]
    #: facet -> [(value, item count)], most frequent first
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: True when total and counts are lower bounds (over the limit or cut off by the time box).
    truncated: bool = False
    #: More than :data:`MAX_DOCS` items matched; ``total`` is then :data:`MAX_DOCS`.
    over_limit: bool = False
    #: The time box cut the search off; ``total`` is what was collected until then.
    cut_off: bool = False


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
        results, cut_off = _collect(searcher, index.segments, matching, clauses, request.sort)
        scored = [(docnum, score or 0.0) for score, docnum in results.top_n]
        over_limit = len(scored) > MAX_DOCS
        scored = scored[:MAX_DOCS]
        if request.sort != "date":
            scored = rerank.rerank(searcher, scored, rerank.exact_terms(user_query))
        hits, facets = _group(scored, searcher, index.segments, request.sort != "date")
        start = (max(request.page, 1) - 1) * request.page_size
        page_hits = hits[start : start + request.page_size]
        pages = best_pages(searcher, [h.key for h in page_hits], _content_terms(matching))
        for hit in page_hits:
            hit.pages = pages.get(hit.key, [])
        return SearchResult(
            len(hits), page_hits, facets, over_limit or cut_off, over_limit, cut_off
        )


def _collect(searcher, cache: SegmentCache, query: Query, clauses: list[Clause], sort: str):  # type: ignore[no-untyped-def]
    """The best (or newest) :data:`MAX_DOCS` + 1 visible items, and whether the time box hit."""
    limit = MAX_DOCS + 1  # the one more tells "exactly MAX_DOCS" from "more than MAX_DOCS"
    if sort == "date":
        collector = searcher.collector(limit=limit, sortedby="date", reverse=True)
    else:
        collector = searcher.collector(limit=limit)
    masked = MaskedCollector(collector, cache, clauses, TIME_LIMIT_SECONDS)
    try:
        searcher.search_with_collector(query, masked)
        truncated = False
    except TimeLimitReached:
        logger.warning("Search cut off after %.1f s: %s", TIME_LIMIT_SECONDS, query)
        truncated = True
    return masked.results(), truncated


def _group(scored: list[tuple[int, float]], searcher, cache: SegmentCache, by_score: bool):  # type: ignore[no-untyped-def]
    """Items in result order and facet counts over them (item fields cached per segment).

    Old guidance ranks below current: a superseded or expired edition's score is scaled
    down (:data:`RANK_FACTORS`), so the edition that applies comes first.
    """
    infos = cache.item_fields(searcher, [docnum for docnum, _score in scored])
    hits = [
        ItemHit(info.key, info.title, info.kind, score * _validity_factor(info))
        for (_docnum, score), info in zip(scored, infos, strict=True)
    ]
    if by_score:
        hits.sort(key=lambda hit: -hit.score)
    pairs = Counter(chain.from_iterable(info.facets for info in infos))
    facets: dict[str, list[tuple[str, int]]] = {}
    for (name, value), n in pairs.most_common():
        facets.setdefault(name, []).append((value, n))
    return hits, facets


#: Events rank a little below the materials and answers that mention the same words: an
#: event's short description names its topics in passing, and its talks are what a search
#: for a topic wants first (the event stays one click away, and a facet value).
KIND_FACTORS: dict[str, float] = {"veranstaltung": 0.5}


def _validity_factor(info: ItemFields) -> float:
    factor = KIND_FACTORS.get(info.kind, 1.0)
    for name, value in info.facets:
        if name == "validity":
            return factor * RANK_FACTORS.get(value, 1.0)
    return factor


def _content_terms(query: Query) -> list[str]:
    """The (analysed) words of the query as they are indexed in page text."""
    return sorted({text for field, text in query.iter_all_terms() if field == "alltext"})
