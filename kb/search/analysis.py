"""The German analysis chain for the index and for queries.

Whoosh pickles the schema, analyzers included, into the index, so every
filter here is a module-level class with no heavy state: anything large (the
compound lexicon) is loaded lazily, not held on the instance.

>>> [t.text for t in german_analyzer()("Änderungen der Förderanträge")]
['aender', 'der', 'foerderantraeg']
>>> [t.text for t in german_analyzer()("Aenderung")]
['aender']
>>> [t.text for t in german_analyzer()("ﬁnanzielle Straße")]
['finanziell', 'strass']
"""

from __future__ import annotations

import unicodedata

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)

from kb.search.compounds import split_offsets

#: Umlauts and ß are written out, so "Aenderung", "Änderung" and "AENDERUNG" meet.
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})

#: Runs of letters and digits; hyphenated compounds ("EU-Migrationsdienst") become
#: their parts, and a query for the whole compound becomes a phrase of the parts.
TOKEN_PATTERN = r"\w+"


def fold(text: str) -> str:
    """NFKC, lower-case and written-out umlauts: the normal form of every indexed term.

    >>> fold("Förderanträge")
    'foerderantraege'
    """
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


class NfkcFilter(Filter):
    """Unicode NFKC: ligatures (ﬁ), full-width and compatibility forms become plain letters."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = unicodedata.normalize("NFKC", t.text)
            yield t


class UmlautFoldFilter(Filter):
    """ä/ae, ö/oe, ü/ue, ß/ss: fold to the written-out form (both directions meet there)."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = t.text.translate(_FOLD)
            yield t


def german_analyzer():  # type: ignore[no-untyped-def]
    """Tokenise, NFKC, lower-case, fold umlauts, stem with Snowball German.

    Stop words are kept so phrase queries ("Antrag auf Förderung") still
    match; the stemmer runs after folding on both index and query side, so
    both sides agree.
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | NfkcFilter()
        | LowercaseFilter()
        | UmlautFoldFilter()
        | StemFilter(lang="de", cachesize=50000)
    )


def exact_analyzer():  # type: ignore[no-untyped-def]
    """Lower-cased, NFKC, umlauts folded, but not stemmed: exact forms rank higher."""
    return RegexTokenizer(TOKEN_PATTERN) | NfkcFilter() | LowercaseFilter() | UmlautFoldFilter()


def display_analyzer():  # type: ignore[no-untyped-def]
    """Lower-cased words with umlauts kept ("förderanträge"): for completions and suggestions.

    >>> [t.text for t in display_analyzer()("Förderanträge 2027 ﬁnden")]
    ['förderanträge', 'finden']
    """
    return RegexTokenizer(r"[^\W\d_]{3,}") | NfkcFilter() | LowercaseFilter()


class CompoundSplitFilter(Filter):
    """After each token, its compound parts (``kb.search.compounds``), except at query time.

    Parts take the token's position, as synonyms do, so positions of later words do not
    move and phrase queries of ordinary words still match; "Antrag stellen" also matches
    "Förderantrag stellen". With ``chars=True`` a part gets its own offsets inside the word,
    so a highlighted hit for "Antrag" marks "Förder[antrag]" (the word's offsets when
    normalisation changed its length). Queries are not split: the index holds the whole
    compound as well, so "Förderantrag" finds it as it is, and the web processes that only
    parse queries never load the lexicon. Highlighting re-analyses stored text in index
    mode, though, and loads it once per process (about a second).

    No state: the lexicon lives in a module-level cache, as Whoosh pickles the schema.
    """

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            text = t.text  # later filters change t.text once the token is yielded
            yield t
            if t.mode == "query":
                continue
            parts = split_offsets(text)
            chars = t.chars and parts and t.endchar - t.startchar == len(text)
            start = t.startchar if chars else 0
            for part, begin, end in parts:
                t.text = part
                if chars:
                    t.startchar, t.endchar = start + begin, start + end
                yield t


def german_split_analyzer():  # type: ignore[no-untyped-def]
    """:func:`german_analyzer` that also indexes compound parts at the compound's position.

    The splitter sees the lower-cased NFKC form before umlaut folding, because the
    dictionary spells "Förder" and "Maßnahme"; parts are then folded and stemmed like
    any word, so the query "Kurs" meets "Integrationskurse".

    >>> [t.text for t in german_split_analyzer()("Förderanträge stellen")]
    ['foerderantraeg', 'foerd', 'antraeg', 'antrag', 'foerderantrag', 'stell']
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | NfkcFilter()
        | LowercaseFilter()
        | CompoundSplitFilter()
        | UmlautFoldFilter()
        | StemFilter(lang="de", cachesize=50000)
    )
