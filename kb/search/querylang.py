"""The query language people type, turned into a Whoosh query.

Supported: words (all must match), "phrases", prefix* (at least
:data:`MIN_PREFIX` letters, expanded to at most :data:`MAX_EXPANSIONS` of the
most frequent index terms), -exclude, OR, AND, NOT and their German forms
UND / ODER / NICHT, and synonyms/acronyms from an editable list (applied here,
at query time). Field syntax (``title:``) is not offered: it would let a query
address internal fields. Anything the parser cannot make sense of is searched
as plain words — a search box never answers with an error.

>>> normalise_operators('Antrag UND Frist ODER Nachweis NICHT Entwurf -alt')
'Antrag AND Frist OR Nachweis NOT Entwurf NOT alt'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from whoosh import qparser
from whoosh.query import And, DefaultOr, NullQuery, Or, Prefix, Query, Term, Wildcard

from kb.search.analysis import fold, stem_form
from kb.search.phrase import ConsecutivePhrase
from kb.search.prefix import ExpandedPrefix

logger = logging.getLogger(__name__)

MIN_PREFIX = 4
MAX_EXPANSIONS = 30
#: Fields a prefix is not expanded in: the exact twins of stemmed fields (a prefix says
#: nothing about exact forms, and expanding it twice doubled the cost of a prefix query).
PREFIX_SKIPS = frozenset({"title_exact", "alltext_exact"})
#: Terms looked at while choosing the most frequent expansions (bounds the work).
MAX_SCAN = 5000
MAX_QUERY_CHARS = 500

_OPERATORS = {"UND": "AND", "ODER": "OR", "NICHT": "NOT"}
_OPERATOR_RE = re.compile(r"(?<![\w\"])(UND|ODER|NICHT)(?![\w\"])")
_EXCLUDE_RE = re.compile(r"(^|\s)-(?=[\w\"])")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise_operators(text: str) -> str:
    """German operators to Whoosh's, ``-word`` to ``NOT word``; outside phrases only."""
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        parts[i] = _OPERATOR_RE.sub(lambda m: _OPERATORS[m.group(1)], parts[i])
        parts[i] = _EXCLUDE_RE.sub(lambda m: f"{m.group(1)}NOT ", parts[i])
    return '"'.join(parts)


def expand_synonyms(text: str, synonyms: Mapping[str, Sequence[str]]) -> str:
    """Replace a word that has synonyms by ``(word OR "synonym one" OR …)``; not inside quotes."""
    if not synonyms:
        return text
    parts = text.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"[\w-]+", lambda m: _alternatives(m.group(0), synonyms), parts[i])
    return '"'.join(parts)


def _alternatives(word: str, synonyms: Mapping[str, Sequence[str]]) -> str:
    others = synonyms.get(word.casefold())
    if not others or word in _OPERATORS.values():
        return word
    quoted = " OR ".join(f'"{o}"' if " " in o else o for o in others)
    return f"({word} OR {quoted})"


def make_parser(fields: list[str], schema) -> qparser.QueryParser:  # type: ignore[no-untyped-def]
    """A parser over ``fields``: AND between words, no field syntax, no plugins we don't offer."""
    parser = qparser.MultifieldParser(
        fields, schema=schema, group=qparser.AndGroup, phraseclass=ConsecutivePhrase
    )
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(qparser.PrefixPlugin())
    return parser


def plain_words(text: str) -> str:
    """The fallback: letters and digits only, so nothing can fail to parse."""
    return " ".join(re.findall(r"\w+", text))


def parse(
    text: str,
    parser: qparser.QueryParser,
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> Query | None:
    """Parse ``text``; None when nothing searchable is left."""
    text = _CONTROL_RE.sub(" ", text)[:MAX_QUERY_CHARS].strip()
    if not text:
        return None
    prepared = expand_synonyms(normalise_operators(text), synonyms or {})
    try:
        query = parser.parse(prepared)
    except Exception:  # whoosh raises assorted errors on odd input; fall back, never fail
        logger.info("Query %r not parseable; searching plain words", text)
        query = parser.parse(plain_words(text))
    if _only_negative(query):
        return None
    return unions(query)


def unions(query: Query) -> Query:
    """Every OR as a tree of union matchers (:class:`whoosh.query.DefaultOr`).

    Whoosh's ``Or`` picks a "preloaded" array matcher for three or more clauses in a
    segment of up to 5,000 documents; that matcher clears and fills a 2,048-slot array
    in Python for every slice of the segment, whether the words occur there or not — the
    biggest cost of small segments. The binary tree only walks the postings.
    """
    if query.is_leaf():
        return query
    query = query.apply(unions)
    if type(query) is Or:
        return DefaultOr(
            query.subqueries, boost=query.boost, minmatch=query.minmatch, scale=query.scale
        )
    return query


def _only_negative(query: Query) -> bool:
    from whoosh.query import Not, NullQuery

    if query is NullQuery or isinstance(query, Not):
        return True
    if isinstance(query, And):
        return all(isinstance(q, Not) for q in query.subqueries)
    return False


def bound_prefixes(query: Query, reader) -> Query:  # type: ignore[no-untyped-def]
    """Replace each prefix/wildcard by its most frequent terms (or the word if it is short).

    Whoosh would expand ``arb*`` to every term in the index and score them all;
    on a large index a single short prefix can take minutes. Prefixes shorter
    than :data:`MIN_PREFIX` letters are searched as the literal word. The
    expansions of one prefix in all the fields it is parsed over (the parser's
    OR of one prefix per field) become one :class:`~kb.search.prefix.ExpandedPrefix`:
    one matcher at a constant score per expansion instead of a union of up to
    3 x :data:`MAX_EXPANSIONS` scored term matchers.
    """
    if isinstance(query, (Prefix, Wildcard)):
        return _bounded([query], reader)
    if isinstance(query, Or) and all(isinstance(q, (Prefix, Wildcard)) for q in query.subqueries):
        return _bounded(query.subqueries, reader)
    if query.is_leaf():
        return query
    return query.apply(lambda q: bound_prefixes(q, reader))


def _bounded(prefixes: Sequence[Prefix | Wildcard], reader) -> Query:  # type: ignore[no-untyped-def]
    literal: list[Query] = []
    expansions: list[tuple[str, str]] = []
    for query in prefixes:
        field = query.fieldname
        # Prefix text is not analysed by Whoosh; normalise it as the field's terms are.
        raw = str(query.text).rstrip("*?")
        stem = fold(raw) if field.endswith("_exact") or field == "words" else stem_form(raw)
        if len(stem) < MIN_PREFIX:
            literal.append(Term(field, stem, boost=query.boost))
        elif field not in PREFIX_SKIPS:  # (the stemmed twin of a skipped field has the prefix)
            # (no expansion in a field: nothing there starts with the stem, not even the stem)
            expansions += [(field, t) for t in _most_frequent(reader, field, stem)]
    if expansions:
        literal.append(ExpandedPrefix(expansions, boost=prefixes[0].boost))
    if not literal:
        return NullQuery
    return literal[0] if len(literal) == 1 else DefaultOr(literal)


def _most_frequent(reader, field: str, stem: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The :data:`MAX_EXPANSIONS` terms of ``field`` starting with ``stem`` that occur in
    the most documents."""
    frequencies: dict[str, int] = {}
    # Per segment, straight through the sorted term table: each term's document frequency
    # comes with it (asking the combined reader costs a hash lookup per term and segment).
    for leaf, _offset in reader.leaf_readers():
        for n, (term, info) in enumerate(leaf.iter_prefix(field, stem)):
            if n >= MAX_SCAN:
                break
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            frequencies[text] = frequencies.get(text, 0) + info.doc_frequency()
    candidates = sorted(((n, t) for t, n in frequencies.items()), reverse=True)
    return [t for _, t in candidates[:MAX_EXPANSIONS]]
