"""Exact forms rank first: a second pass over the best matches instead of a field per match.

Why: every word of a query used to be an OR over five fields — ``title``, ``title_exact``,
``alltext``, ``alltext_exact``, ``summary`` — and Whoosh matched and scored all of them
for every item a word occurs in; for phrases it checked positions in both whole-item text
fields. The exact twins never decide *whether* an item matches (whatever matches the
folded, unstemmed form also matches the stemmed one), only its rank. So the first pass
matches on the stemmed fields alone, and this second pass adds the exact fields' scores
(BM25F, the same weighting and field boosts as before) to the best :data:`RERANK_DEPTH`
items only, by skipping each exact term's postings straight to those documents.

Items below that depth keep their first-pass order; on the first pages, where ranking
matters, the order is what the single five-field pass gave (tests/test_ranking.py and the
relevance floors check it).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from typing import Any

from whoosh.query import DefaultOr, Not, NullQuery, Query, Term

logger = logging.getLogger(__name__)

#: Fields whose scores are added in the second pass (see kb/search/schema.py).
EXACT_FIELDS = ["title_exact", "alltext_exact"]
#: How many of the best first-pass items get the exact-form scores.
RERANK_DEPTH = 100


def exact_terms(query: Query) -> Query:
    """An OR of the positive terms of ``query`` (parsed over :data:`EXACT_FIELDS`).

    Phrases contribute their words; terms under NOT contribute nothing.
    """
    terms: set[tuple[str, str]] = set()

    def walk(q: Query) -> None:
        if isinstance(q, Not):
            return
        if q.is_leaf():
            terms.update(
                (field, text)
                for field, text in q.iter_all_terms()
                if field in EXACT_FIELDS and isinstance(text, str)
            )
            return
        for child in q.children():
            walk(child)

    walk(query)
    if not terms:
        return NullQuery
    return DefaultOr([Term(field, text) for field, text in sorted(terms)])


def rerank(
    searcher: Any, scored: Sequence[tuple[int, float]], exact: Query
) -> list[tuple[int, float]]:
    """``scored`` (docnum, score) best first, with exact-form scores added to the top items."""
    if exact is NullQuery or not scored:
        return list(scored)
    head = list(scored[:RERANK_DEPTH])
    bonus = _scores(searcher, sorted(docnum for docnum, _ in head), exact)
    head = [(docnum, score + bonus.get(docnum, 0.0)) for docnum, score in head]
    head.sort(key=lambda pair: (-pair[1], pair[0]))
    return head + list(scored[RERANK_DEPTH:])


def _scores(searcher: Any, docnums: list[int], query: Query) -> dict[int, float]:
    """Scores of ``query`` (an OR of terms) for the given sorted, global documents only.

    Term by term rather than through a union matcher: the sum is the same, without the
    union's bookkeeping for every skip.
    """
    leaves = searcher.leaf_searchers()
    offsets = [offset for _s, offset in leaves]
    context = searcher.context()
    by_leaf: dict[int, list[int]] = {}
    for docnum in docnums:
        by_leaf.setdefault(bisect.bisect_right(offsets, docnum) - 1, []).append(docnum)
    out: dict[int, float] = {}
    terms = query.subqueries if isinstance(query, DefaultOr) else [query]
    for leaf, docs in by_leaf.items():
        sub, offset = leaves[leaf]
        reader = sub.reader()
        for term in terms:
            if (term.fieldname, term.text) not in reader:
                continue
            matcher = term.matcher(sub, context)
            for docnum in docs:
                local = docnum - offset
                if not matcher.is_active():
                    break
                if matcher.id() < local:
                    matcher.skip_to(local)
                if matcher.is_active() and matcher.id() == local:
                    out[docnum] = out.get(docnum, 0.0) + matcher.score()
    return out


def without_exact(query: Query) -> Query:
    """``query`` without its clauses on :data:`EXACT_FIELDS`: what the first pass matches."""
    return _strip(query).normalize()


def _strip(query: Query) -> Query:
    if query.is_leaf():
        return NullQuery if getattr(query, "fieldname", None) in EXACT_FIELDS else query
    return query.apply(_strip)
