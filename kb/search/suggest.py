"""Derived search surfaces: "Meinten Sie …?", completions, related items.

Each obeys the same permission rule as the hits: a suggestion or completion
is offered only if a permission-filtered search for it finds something, and
related items are searched with the viewer's filter inside the query. Word
candidates come from the ``words`` field (words as written, lower-cased), so
what the user sees reads like German, not like stemmed index terms; whole
titles come from the stored titles of a permission-filtered title search, and
topic names from the caller (the vocabulary lives in the database), each
offered only if a filtered search for its topic finds an item.

A title or topic is offered only where it *continues* the typed text at the start
of one of its words (:func:`continues`): the search box shows completions through
a ``<datalist>``, and browsers show only options that contain what was typed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from whoosh.query import And, Not, Or, Query, Term

from kb.search import querylang
from kb.search.filtering import ITEM_CLAUSE, filtered_search, permission_clause
from kb.search.index import SearchIndex
from kb.search.segments import SegmentCache

logger = logging.getLogger(__name__)

MIN_COMPLETION_PREFIX = 3
COMPLETION_CANDIDATES = 40
#: Best title matches looked at for whole-title completions.
TITLE_CANDIDATES = 20
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


def continues(candidate: str, text: str) -> bool:
    """Whether ``candidate`` holds ``text`` (case-insensitively) at the start of a word, and
    says more than it.

    >>> continues("Leitfaden Kostenplan 2025", "kostenp"), continues("Kostenplan", "plan")
    (True, False)
    """
    whole, typed = " ".join(candidate.split()).casefold(), text.casefold()
    if not typed or len(whole) <= len(typed):
        return False
    at = whole.find(typed)
    while at >= 0:
        if at == 0 or not whole[at - 1].isalnum():
            return True
        at = whole.find(typed, at + 1)
    return False


def topic_completions(
    index: SearchIndex, text: str, topics: Sequence[tuple[str, str]], principals: Sequence[str]
) -> list[str]:
    """Names of the ``topics`` ((slug, name) pairs) that continue ``text`` and have an item
    the viewer may see."""
    if len(text) < MIN_COMPLETION_PREFIX or not principals:
        return []
    names = [(slug, name) for slug, name in topics if continues(name, text)]
    if not names:
        return []
    with index.searching() as searcher:
        return [
            name
            for slug, name in names
            if _visible(searcher, index.segments, Term("topic", slug), principals)
        ]


def title_completions(
    index: SearchIndex, text: str, principals: Sequence[str]
) -> list[tuple[str, str]]:
    """(key, title) of the visible objects whose title continues ``text``, best match first.

    The typed words are searched in the ``title`` field, the last one as a prefix (expanded
    like a search's ``word*``, so from four letters on), with the viewer's filter inside
    the search; only the stored titles of what that search found are offered.
    """
    words = querylang.plain_words(text).lower()  # lower case: no word is read as an operator
    if len(text) < MIN_COMPLETION_PREFIX or not principals or not words:
        return []
    with index.searching() as searcher:
        parser = querylang.make_parser(["title"], searcher.schema)
        query = querylang.parse(f"{words}*", parser)
        if query is None:
            return []
        query = querylang.bound_prefixes(query, searcher.reader())
        clauses = [permission_clause(principals), ITEM_CLAUSE]
        results = filtered_search(searcher, index.segments, query, clauses, TITLE_CANDIDATES)
        found = [(hit["item_id"], hit.get("title") or "") for hit in results]
    return [(key, title) for key, title in found if continues(title, text)]


#: Key terms asked for, before the too-common ones are dropped; at most
#: :data:`RELATED_TERMS` of the rest make the "more like this" query.
RELATED_CANDIDATE_TERMS = 30
RELATED_TERMS = 12
#: A term found in more than this share of the items (and more than
#: :data:`RELATED_MIN_DF_CAP` items) says little about what an item is about and makes
#: the query walk most of the index; it is left out (like Elasticsearch's ``max_doc_freq``).
RELATED_MAX_DF_SHARE = 0.1
RELATED_MIN_DF_CAP = 100
#: Related items are a side box: past this budget the best found so far are shown.
RELATED_TIME_LIMIT_SECONDS = 0.15


def related_items(
    index: SearchIndex, item_id: int, principals: Sequence[str], limit: int = 5
) -> list[int]:
    """Items that share the most characteristic terms of ``item_id`` (more like this).

    Bounded for large archives: only terms that are not in most items are searched, and
    the search stops at :data:`RELATED_TIME_LIMIT_SECONDS` with what it has; the item page
    must not cost more as the archive grows.
    """
    if not principals:
        return []
    with index.searching() as searcher:
        # One term, not item_id AND doctype: the AND would walk every page document.
        own = [searcher.stored_fields(n) for n in searcher.document_numbers(item_id=str(item_id))]
        title = next((f.get("title", "") for f in own if not f.get("page")), "")
        pages = [f.get("content") or "" for f in own if f.get("page")]
        text = " ".join(pages[:30])
        if not (text or title):
            return []
        terms = _characteristic_terms(searcher, f"{title} {text}")
        if not terms:
            return []
        like = Or([Term("alltext", word, boost=weight) for word, weight in terms])
        query = And([like, Not(Term("item_id", str(item_id)))])
        clauses = [permission_clause(principals), ITEM_CLAUSE]
        # Related *items* only: events and Q&A entries have keys like "e3" and "q5".
        results = filtered_search(
            searcher, index.segments, query, clauses, limit + 5, RELATED_TIME_LIMIT_SECONDS
        )
        keys = [hit["item_id"] for hit in results]
        return [int(key) for key in keys if key.isdigit()][:limit]


def _characteristic_terms(searcher, text: str) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """The text's key terms for ``alltext`` without those most items contain."""
    items = searcher.doc_frequency("doctype", "item")
    cap = max(RELATED_MIN_DF_CAP, RELATED_MAX_DF_SHARE * items)
    terms = searcher.key_terms_from_text("alltext", text, numterms=RELATED_CANDIDATE_TERMS)
    kept = [
        (word, weight) for word, weight in terms if searcher.doc_frequency("alltext", word) <= cap
    ]
    return kept[:RELATED_TERMS]
