"""BM25F as Whoosh scores it, with field lengths read from a per-segment table.

Why: a search for two common words scores every matching item, and Whoosh looks up the
field length of each (document, term) through four Python calls and a ``struct`` unpack —
40 % of the time of such a search at 10,000 items. A segment's lengths never change once
it is written, so the length column is read once per segment (one byte per document, as
Whoosh stores it) into :class:`~kb.search.segments.SegmentCache`, and the BM25 denominator
is precomputed for each of the 256 possible length bytes. The scores are bit-for-bit
Whoosh's (the same floating-point operations in the same order; tests compare them).
"""

from __future__ import annotations

import logging
from typing import Any

from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

from kb.search.segments import SegmentCache

logger = logging.getLogger(__name__)


class TableBM25F(BM25F):  # type: ignore[misc]
    """Whoosh's ``BM25F`` whose scorers read field lengths from the segment cache."""

    def __init__(self, cache: SegmentCache, B: float = 0.75, K1: float = 1.2) -> None:
        super().__init__(B=B, K1=K1)
        self._cache = cache
        #: (field, B, average length) -> the denominator's length part per length byte
        self._norms: dict[tuple[str, float, float], list[float]] = {}

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if type(scorer) is not BM25FScorer:  # unscorable field: Whoosh's own scorer
            return scorer
        lengths = self._cache.length_bytes(searcher.reader(), fieldname)
        if lengths is None:
            return scorer
        return TableScorer(scorer, lengths, self._norm_table(fieldname, scorer))

    def _norm_table(self, fieldname: str, scorer: BM25FScorer) -> list[float]:
        key = (fieldname, scorer.B, scorer.avgfl)
        table = self._norms.get(key)
        if table is None:
            K1, B, avgfl = scorer.K1, scorer.B, scorer.avgfl
            # As whoosh.scoring.bm25: K1 * ((1 - B) + B * fl / avgfl), fl from the byte.
            table = [
                K1 * ((1 - B) + B * (byte_to_length(b) if b else 0) / avgfl) for b in range(256)
            ]
            self._norms[key] = table
        return table


class TableScorer(BM25FScorer):  # type: ignore[misc]
    """One term's scorer in one segment; ``score`` is ``bm25()`` with the length looked up
    in a byte table. Quality bounds (block skipping) stay Whoosh's own."""

    def __init__(self, base: BM25FScorer, lengths: bytes, norms: list[float]) -> None:
        self.__dict__.update(base.__dict__)
        self._lengths = lengths
        self._norms = norms
        self._k1_plus_1 = self.K1 + 1

    def score(self, matcher: Any) -> float:
        tf = matcher.weight()
        length_part = self._norms[self._lengths[matcher.id()]]
        return self.idf * ((tf * self._k1_plus_1) / (tf + length_part))
