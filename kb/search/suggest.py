"""Derived search surfaces: "Meinten Sie …?", completions, related items.

Each obeys the same permission rule as the hits: a suggestion or completion
is offered only if a permission-filtered search for it finds something, and
related items are searched with the viewer's filter inside the query. The
candidates come from the ``words`` field (words as written, lower-cased), so
what the user sees reads like German, not like stemmed index terms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from whoosh.query import And, Not, Or, Query, Term

from kb.search.filtering import ITEM_CLAUSE, filtered_search, permission_clause
from kb.search.index import SearchIndex
from kb.search.segments import SegmentCache

logger = logging.getLogger(__name__)

MIN_COMPLETION_PREFIX = 3
COMPLETION_CANDIDATES = 40
_WORD = re.compile(r"[^\W\d_]{3,}")


def _visible(searcher, cache: SegmentCache, query: Query, principals: Sequence[str]) -> bool:  # type: ignore[no-untyped-def]
    results = filtered_search(searcher, cache, query, [permission_clause(principals)], limit=1)
    return not results.is_empty()


def spelling_suggestion(index: SearchIndex, text: str, principals: Sequence[str]) -> str | None:
    """A corrected query if some words are unknown and the correction finds visible items.

    Only plain words are corrected (queries with operators or quotes are left alone).
    """
    if (
        not principals
        or any(ch in text for ch in '"*()')
        or re.search(r"\b(OR|NOT|AND|ODER|NICHT|UND)\b", text)
    ):
        return None
    words = text.split()
    if not words or len(words) > 8:
        return None
    with index.searching() as searcher:
        corrector = searcher.corrector("words")
        reader = searcher.reader()
        changed, corrected = False, []
        for word in words:
            lower = word.lower()
            if not _WORD.fullmatch(lower) or reader.doc_frequency("words", lower):
                corrected.append(word)
                continue
            options = corrector.suggest(lower, limit=1, maxdist=2)
            if not options:
                corrected.append(word)
                continue
            corrected.append(options[0])
            changed = True
        if not changed:
            return None
        query = And([Term("words", w.lower()) for w in corrected])
        visible = _visible(searcher, index.segments, query, principals)
        return " ".join(corrected) if visible else None


def completions(
    index: SearchIndex, text: str, principals: Sequence[str], limit: int = 8
) -> list[str]:
    """Completions of the last word of ``text``, most frequent first, each visible to the viewer."""
    head, _, last = text.rpartition(" ")
    last = last.lower()
    if len(last) < MIN_COMPLETION_PREFIX or not principals or not _WORD.fullmatch(last):
        return []
    out: list[str] = []
    with index.searching() as searcher:
        reader = searcher.reader()
        candidates = []
        for n, term in enumerate(reader.expand_prefix("words", last)):
            if n >= 2000:
                break
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            candidates.append((reader.doc_frequency("words", word), word))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        for _freq, word in candidates[:COMPLETION_CANDIDATES]:
            if _visible(searcher, index.segments, Term("words", word), principals):
                out.append(f"{head} {word}".strip())
                if len(out) >= limit:
                    break
    return out


def related_items(
    index: SearchIndex, item_id: int, principals: Sequence[str], limit: int = 5
) -> list[int]:
    """Items that share the most characteristic terms of ``item_id`` (more like this)."""
    if not principals:
        return []
    with index.searching() as searcher:
        own = [
            searcher.stored_fields(n)
            for n in searcher.document_numbers(item_id=str(item_id), doctype="page")
        ]
        title = next(iter(searcher.documents(doc_id=f"i{item_id}")), {}).get("title", "")
        text = " ".join(f.get("content") or "" for f in own[:30])
        if not (text or title):
            return []
        terms = searcher.key_terms_from_text("alltext", f"{title} {text}", numterms=12)
        if not terms:
            return []
        like = Or([Term("alltext", word, boost=weight) for word, weight in terms])
        query = And([like, Not(Term("item_id", str(item_id)))])
        clauses = [permission_clause(principals), ITEM_CLAUSE]
        # Related *items* only: events and Q&A entries have keys like "e3" and "q5".
        results = filtered_search(searcher, index.segments, query, clauses, limit=limit + 5)
        keys = [hit["item_id"] for hit in results]
        return [int(key) for key in keys if key.isdigit()][:limit]
