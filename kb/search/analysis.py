"""The German analysis chain for the index and for queries.

Whoosh pickles the schema, analyzers included, into the index, so every
filter here is a module-level class with no heavy state: anything large (the
compound lexicon) is loaded lazily, not held on the instance.

Two chains: the stemmed one (:func:`german_analyzer`, :func:`german_split_analyzer`)
restores written-out umlauts and lets the Snowball stemmer reduce them, so all
spellings and inflections meet; the exact one (:func:`exact_analyzer`) folds
umlauts to "ae"/"oe"/"ue" and does not stem, so exact forms can rank higher.
"""

from __future__ import annotations

import functools
import unicodedata

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.lang import stemmer_for_language

from kb.search.compounds import split_offsets

#: Distinct words whose analysis is remembered per process (a 100k-page archive has about
#: 90,000 distinct words; an entry is a few hundred bytes).
WORD_CACHE = 150_000

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


_VOWELS = frozenset("aeiouyäöü")
_UMLAUT_OF = {"ae": "ä", "oe": "ö", "ue": "ü"}


def restore_umlauts(word: str) -> str:
    """Written-out umlauts back to umlauts before stemming (Snowball's "german2" rule).

    The stemmer knows that "Anträge" and "Antrag" belong together only when it
    sees the umlaut, so "Antraege" becomes "anträge" first. A "u" after a vowel
    is a consonant (Feuer, Bauer) and "ue" after "q" stays (Quelle).

    >>> [restore_umlauts(w) for w in ["aenderungen", "fluechtlinge", "feuer", "quelle", "neue"]]
    ['änderungen', 'flüchtlinge', 'feuer', 'quelle', 'neue']
    """
    if "e" not in word:
        return word
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        before = word[i - 1] if i else ""
        if pair in _UMLAUT_OF and not (pair == "ue" and (before == "q" or before in _VOWELS)):
            out.append(_UMLAUT_OF[pair])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


_BASE_VOWEL = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})


def stem_form(text: str) -> str:
    """The form a word's stem starts with: NFKC, lower-case, umlauts restored, then reduced
    to base vowels as the stemmer does. Used for prefixes on stemmed fields.

    >>> stem_form("Förder"), stem_form("Foerder")
    ('forder', 'forder')
    """
    return restore_umlauts(unicodedata.normalize("NFKC", text).lower()).translate(_BASE_VOWEL)


class StemPrepFilter(Filter):
    """ß -> ss and written-out umlauts restored, so the Snowball stemmer sees German words."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = restore_umlauts(t.text.replace("ß", "ss").replace("ẞ", "ss"))
            yield t


class UmlautFoldFilter(Filter):
    """ä/ae, ö/oe, ü/ue, ß/ss: fold to the written-out form (both directions meet there)."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = t.text.translate(_FOLD)
            yield t


def german_analyzer():  # type: ignore[no-untyped-def]
    """Tokenise, NFKC, lower-case, restore written-out umlauts, stem with Snowball German.

    The stemmer maps umlauts to their base vowels itself ("Anträge" and
    "Antraege" -> "antrag"), so Änderung, Aenderung and Anderung meet in this
    field; the exact field keeps them apart for ranking. Stop words are kept
    so phrase queries ("Antrag auf Förderung") still match.

    >>> [t.text for t in german_analyzer()("Änderungen der Förderanträge")]
    ['ander', 'der', 'forderantrag']
    >>> [t.text for t in german_analyzer()("Aenderung Antraege")]
    ['ander', 'antrag']
    >>> [t.text for t in german_analyzer()("ﬁnanzielle Straße")]
    ['finanziell', 'strass']
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | NfkcFilter()
        | LowercaseFilter()
        | StemPrepFilter()
        | StemFilter(lang="de", cachesize=50000)
    )


@functools.lru_cache(maxsize=WORD_CACHE)
def _fold_word(word: str) -> str:
    return fold(word)


@functools.lru_cache(maxsize=WORD_CACHE)
def _lower_word(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower()


class FoldFilter(Filter):
    """NFKC, lower-case and umlauts folded (:func:`fold`) in one step, once per distinct word.

    The same as ``NfkcFilter() | LowercaseFilter() | UmlautFoldFilter()``; a rebuild meets
    each word thousands of times, so the result is remembered per word.
    """

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = _fold_word(t.text)
            yield t


class NfkcLowerFilter(Filter):
    """``NfkcFilter() | LowercaseFilter()`` in one step, once per distinct word."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = _lower_word(t.text)
            yield t


def exact_analyzer():  # type: ignore[no-untyped-def]
    """Lower-cased, NFKC, umlauts folded, but not stemmed: exact forms rank higher.

    >>> [t.text for t in exact_analyzer()("Förderanträge ÄNDERUNG Straße")]
    ['foerderantraege', 'aenderung', 'strasse']
    """
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter()


def display_analyzer():  # type: ignore[no-untyped-def]
    """Lower-cased words with umlauts kept ("förderanträge"): for completions and suggestions.

    >>> [t.text for t in display_analyzer()("Förderanträge 2027 ﬁnden")]
    ['förderanträge', 'finden']
    """
    return RegexTokenizer(r"[^\W\d_]{3,}") | NfkcLowerFilter()


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


@functools.cache
def _stemmer():  # type: ignore[no-untyped-def]
    return stemmer_for_language("de")


def _stem(word: str) -> str:
    """What ``StemPrepFilter() | StemFilter(lang="de")`` make of one lower-case word."""
    return _stemmer()(restore_umlauts(word.replace("ß", "ss").replace("ẞ", "ss")))  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=WORD_CACHE)
def analyse_word(raw: str) -> tuple[str, tuple[tuple[str, int, int], ...], int]:
    """One token through the stemmed chain: (stem, compound parts as (stem, start, end)
    within the word, length of the normalised word).

    >>> stem, parts, length = analyse_word("Förderanträge")
    >>> stem, [(p, "förderanträge"[b:e]) for p, b, e in parts][:2], length
    ('forderantrag', [('ford', 'förder'), ('antrag', 'anträge')], 13)
    """
    text = unicodedata.normalize("NFKC", raw).lower()
    parts = tuple((_stem(part), begin, end) for part, begin, end in split_offsets(text))
    return _stem(text), parts, len(text)


class GermanWordFilter(Filter):
    """NFKC, lower-case, compound parts (index time only), umlauts restored, Snowball German
    stem — the chain ``NfkcFilter | LowercaseFilter | CompoundSplitFilter | StemPrepFilter
    | StemFilter`` in one step, with its result remembered per distinct word.

    Why: a rebuild analyses every page twice (``alltext`` of its item and ``content`` of the
    page) and meets each word thousands of times; the five filters per token were a third of
    the rebuild's time. Parts and their character offsets are as ``CompoundSplitFilter``
    gives them. No state: the caches are module-level, as Whoosh pickles the schema.
    """

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            stem, parts, length = analyse_word(t.text)
            t.text = stem
            if not parts or t.mode == "query":
                yield t
                continue
            chars = t.chars and t.endchar - t.startchar == length
            start = t.startchar if chars else 0
            yield t
            for part, begin, end in parts:
                t.text = part
                if chars:
                    t.startchar, t.endchar = start + begin, start + end
                yield t


def german_split_analyzer():  # type: ignore[no-untyped-def]
    """:func:`german_analyzer` that also indexes compound parts at the compound's position.

    The splitter sees the lower-cased NFKC form before umlaut folding, because the
    dictionary spells "Förder" and "Maßnahme"; parts are then folded and stemmed like
    any word, so the query "Kurs" meets "Integrationskurse". (One cached filter,
    :class:`GermanWordFilter`, does what :class:`CompoundSplitFilter` and the filters of
    :func:`german_analyzer` do.)

    >>> [t.text for t in german_split_analyzer()("Förderanträge stellen")]
    ['forderantrag', 'ford', 'antrag', 'antrag', 'forderantrag', 'stell']
    """
    return RegexTokenizer(TOKEN_PATTERN) | GermanWordFilter()
