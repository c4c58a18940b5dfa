"""A prefix query's expansions matched as one set, each expansion at a constant score.

Why: ``syst*`` over the three matched fields (title, alltext, summary) used to become a
union of up to 3 x 30 term matchers, and Whoosh scored every matching item through that
tree of 90 matchers with BM25 per posting — in pure Python, per segment. At 100k pages the
nine slowest queries of the benchmark were all such prefixes (up to 1.5 s, docs/benchmarks.md).

:class:`ExpandedPrefix` holds all expansions of one prefix in all its fields. Per segment it
reads each expansion's document ids (Whoosh decodes posting blocks into arrays, which is
cheap) and adds one constant per expansion to each document it occurs in; the matcher then
walks a sorted list. The constant is BM25's score for one occurrence in a field of average
length (``idf * w (K1 + 1) / (w + K1)`` with the field boost as the weight ``w``), so a
title hit still counts more than a text hit, a rare expansion more than a common one, and
an item with several expansions more than one with one; what is given up is term frequency
and length normalisation *within* a prefix match, which a prefix (a guess at a word) says
little about anyway.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import Any

from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher, ReadTooFar
from whoosh.query import Query
from whoosh.reading import TermNotFound

logger = logging.getLogger(__name__)


class ExpandedPrefix(Query):
    """Documents holding any of ``expansions`` ((field, term) pairs), scored at a constant per
    expansion (see the module docs); ``boost`` scales all of them."""

    def __init__(self, expansions: Sequence[tuple[str, str]], boost: float = 1.0) -> None:
        self.expansions = tuple(expansions)
        self.boost = boost

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.expansions!r}, boost={self.boost!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ExpandedPrefix)
            and self.expansions == other.expansions
            and self.boost == other.boost
        )

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, self.expansions, self.boost))

    def field(self) -> str | None:
        """The one field of the expansions, or None when they span several (Whoosh's rule)."""
        fields = {field for field, _text in self.expansions}
        return fields.pop() if len(fields) == 1 else None

    def is_leaf(self) -> bool:
        return True

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        """The expansions, so snippets and highlighting see the words a prefix matched."""
        return iter(self.expansions)

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(field, text) for field, text in self.expansions)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """A list matcher over the segment's documents that hold any expansion."""
        reader = searcher.reader()
        top = searcher.get_parent()
        weighting = context.weighting if context is not None else searcher.weighting
        scores: dict[int, float] = {}
        get = scores.get
        for field, text in self.expansions:
            if field not in searcher.schema:
                continue
            try:  # (one term lookup; asking "in reader" first would be a second)
                postings = reader.postings(field, searcher.schema[field].to_bytes(text))
            except TermNotFound:
                continue
            constant = self.boost * _constant(top, weighting, field, text)
            for docnum in _ids(postings):
                scores[docnum] = get(docnum, 0.0) + constant
        if not scores:
            return NullMatcher()
        ids = sorted(scores)
        return SortedListMatcher(ids, weights=[scores[docnum] for docnum in ids])


def _ids(postings: Any) -> Iterable[int]:
    """The document ids of a segment's postings, without deleted documents.

    Whoosh's ``all_ids()`` steps through a posting list one method call per id; its
    leaf matcher decodes a whole block of ids at once, which is read here when present.
    """
    deleted: Container[int] = ()
    if isinstance(postings, FilterMatcher):  # the segment has deletions (see SegmentReader)
        deleted, postings = postings._ids, postings.child
    if not hasattr(postings, "_read_ids"):  # not Whoosh's leaf matcher: the slow, sure way
        return (docnum for docnum in postings.all_ids() if docnum not in deleted)
    return (docnum for docnum in _block_ids(postings) if docnum not in deleted)


def _block_ids(matcher: Any) -> Iterator[int]:
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        yield from matcher._ids[matcher._i :]
        matcher._next_block()


def _constant(top: Any, weighting: Any, field: str, text: str) -> float:
    """BM25's score for one occurrence of ``text`` in ``field`` of average length."""
    idf = float(top.idf(field, text))
    weight = float(getattr(top.schema[field].format, "field_boost", 1.0))
    k1 = float(getattr(weighting, "K1", 1.2))
    return idf * weight * (k1 + 1) / (weight + k1)


class SortedListMatcher(ListMatcher):
    """Whoosh's list matcher, but skipping by bisection (its own steps one id at a time) and
    with its best score computed once (Whoosh asks for it on every ``replace``)."""

    def __init__(self, ids: list[int], weights: list[float], position: int = 0) -> None:
        super().__init__(ids, weights=weights, position=position)
        self._max = max(weights) if weights else 0.0

    def skip_to(self, id: int) -> None:  # noqa: A002 - Whoosh's name
        if not self.is_active():
            raise ReadTooFar
        if id > self.id():
            self._i = bisect.bisect_left(self._ids, id, self._i)

    def block_max_weight(self) -> float:
        return self._max

    def copy(self) -> SortedListMatcher:
        return SortedListMatcher(self._ids, self._weights, position=self._i)
