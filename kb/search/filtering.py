"""The always-on permission filter (and facet filters) applied while Whoosh collects.

Every search surface (hits, totals, facets, snippets, suggestions, completions, related
items) runs through :func:`filtered_search` or :class:`MaskedCollector`: a document is
collected only if its segment's bitmap (``kb.search.segments``) has it, i.e. if it carries
one of the viewer's principals in ``allow`` and meets the other clauses. The filter is
applied to each match as Whoosh produces it, before anything is counted, scored into the
top N or shown — never to a page of results afterwards.

Why not a filter query ANDed into the user's query (the first design): Whoosh builds the
matcher of ``ConstantScoreQuery`` by reading every id it matches into an array first, on
every search (O(index size)). Why not the same terms without the wrapper
(``Or([Term("allow", p, boost=0)])``, tried and reverted): for a top-N search Whoosh's
``UnionMatcher.replace(minquality)`` turns an OR whose branches cannot reach the minimum
score into an AND, a valid shortcut for scoring and a wrong one for a filter of score 0 —
a member (``anon`` OR ``member``) then saw only documents carrying *both* terms, i.e. lost
the internal ones. Why not Whoosh's ``filter=`` argument: its ``FilterCollector`` filters in
``collect_matches``, which a wrapping ``TimeLimitCollector`` bypasses (it calls the
innermost collector directly), so time-boxed searches would not be filtered. This one
collector does both, so neither can be skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from whoosh.collectors import WrappingCollector
from whoosh.query import Query
from whoosh.searching import TimeLimit

from kb.search.segments import Clause, SegmentCache

logger = logging.getLogger(__name__)

#: How many matches between two looks at the clock.
_CLOCK_EVERY = 256


def permission_clause(principals: Sequence[str]) -> Clause:
    """Documents whose ``allow`` terms meet any of the viewer's principals (arbitrary strings:
    ``anon``, ``member``, ``user:7``, role principals …). No principals: no documents."""
    return [("allow", p) for p in principals]


ITEM_CLAUSE: Clause = [("doctype", "item")]


class MaskedCollector(WrappingCollector):
    """Collects only documents set in the per-segment mask, within a time box.

    :param child: the collector that scores/sorts and keeps the results.
    :param cache: the index's segment cache, which builds and keeps the masks.
    :param clauses: the mask: AND of clauses, each an OR of (field, text) terms; the
        permission clause must be one of them.
    :param timelimit: seconds; when exceeded, :class:`whoosh.searching.TimeLimit` is raised
        and ``results()`` holds what was collected so far (all of it filtered).
    """

    def __init__(
        self,
        child: Any,
        cache: SegmentCache,
        clauses: Sequence[Clause],
        timelimit: float | None = None,
    ) -> None:
        super().__init__(child)
        self.cache = cache
        self.clauses = clauses
        self.timelimit = timelimit
        self._mask: bytes | None = None
        self._deadline = 0.0
        self.passed = 0

    def prepare(self, top_searcher, q, context):  # type: ignore[no-untyped-def]
        super().prepare(top_searcher, q, context)
        limit = float("inf") if self.timelimit is None else self.timelimit
        self._deadline = time.monotonic() + limit

    def set_subsearcher(self, subsearcher, offset):  # type: ignore[no-untyped-def]
        super().set_subsearcher(subsearcher, offset)
        self._mask = self.cache.mask(subsearcher.reader(), self.clauses)

    def collect_matches(self) -> None:
        mask = self._mask
        if mask is None:  # nothing in this segment may be seen
            return
        collect = self.child.collect
        deadline = self._deadline
        for n, docnum in enumerate(self.child.matches(), 1):
            if mask[docnum >> 3] >> (docnum & 7) & 1:
                self.passed += 1
                collect(docnum)
            if n % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise TimeLimit

    def count(self) -> int:
        # The child's count may re-run the bare query (TopCollector without exact counts);
        # only what passed the mask may be counted. A lower bound when block skipping is on.
        return self.passed

    def all_ids(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError("use results().items(): only collected documents are visible")

    def results(self):  # type: ignore[no-untyped-def]
        results = self.child.results()
        results.collector = self  # len(results) asks this collector, never the bare query
        return results


def filtered_search(
    searcher: Any,
    cache: SegmentCache,
    query: Query,
    clauses: Sequence[Clause],
    limit: int | None = 10,
    timelimit: float | None = None,
) -> Any:
    """``searcher.search(query, limit=limit)`` seeing only documents the clauses admit.

    With ``timelimit`` (seconds) the search stops there and returns the best documents
    collected so far (for side boxes that may be incomplete but must not be slow).
    """
    collector = MaskedCollector(searcher.collector(limit=limit), cache, clauses, timelimit)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        logger.info("Search stopped after %.2f s with partial results: %s", timelimit, query)
    return collector.results()
