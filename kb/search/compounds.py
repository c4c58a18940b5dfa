"""German compound splitting at index time, from the Hunspell German dictionary.

"Integration" should find "Arbeitsmarktintegration" and "Antrag" "Förderantrag", so the
index gets each compound *and* its parts (see ``CompoundSplitFilter`` in ``analysis``).

Why Hunspell's de_DE (Debian ``hunspell-de-de``), not ``wngerman``: both are igerman98
2016-12-07, but ``/usr/share/dict/ngerman`` is an expanded list that misses whole entries
("Schule", "Abfrage", "Abfahrt") and knows nothing of word formation. The Hunspell files do:
nouns that may end a compound carry COMPOUNDEND, and the forms that may open one carry
COMPOUNDBEGIN/MIDDLE, linking element included ("Arbeits", "Antrags", "Förder", "Schul"). So
Fugen-s, -es, -n, -en, -er and -e come from the dictionary instead of guesses, and
"pati|enten" or "bear|beitung" never arise: "pati" and "bear" open no compound. Expanding the
affixes gives the inflected heads ("Kurse", "Anträgen"). The index's own vocabulary was no
option: splits would depend on what happens to be indexed, and junk would feed itself.

Rules close the gaps the dictionary leaves; each fixes a failure seen on real text. A word
the dictionary lists as a verb or adjective splits only as noun + adjective ("verbringen" is
no verb|ringen), a listed noun only into long nouns or bound compound forms ("Verbrauch" is
no verb|rauch, "Patienten" no pati|enten). Particles and Latin prefixes ("unter", "wieder",
"trans") and compound forms under four letters ("maß") glue to the next part instead of
standing alone. Nouns in -ung, -heit, -tion ... take a Fugen-s even where the dictionary
lists no such form. A few nouns that are suffixes in disguise ("-ende", "-schaft", "-bar")
are no heads. Parts have four letters or more, except a three-letter head after a Fugen-s
("Landes|amt"). Of the remaining splits, the one with the fewest, then the fewest weak
(flagless) parts, then the longest shortest part wins.

Input is one lower-case, NFKC token with umlauts and ß unfolded, as in the dictionary.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)

DEBIAN_PACKAGE = "hunspell-de-de"
DIC_PATH = Path("/usr/share/hunspell/de_DE.dic")
AFF_PATH = Path("/usr/share/hunspell/de_DE.aff")

#: Shortest part (a three-letter head only after a Fugen-s); longer tokens are no words.
MIN_PART, MAX_WORD = 4, 60
#: de_DE.aff flags: compound begin/middle/end, only in compounds, pseudo-root, forbidden.
_BEGIN, _MIDDLE, _END, _ONLY_IN, _NEED_AFFIX, _FORBIDDEN = "xyzohd"
#: What a form can be, as bits in ``Lexicon.kinds``: one dictionary lookup answers all.
WORD, NOUN, BEGIN, MIDDLE, END = 1, 2, 4, 8, 16
_KIND = {_BEGIN: BEGIN, _MIDDLE: MIDDLE, _END: END}
#: Verb particles, prepositions, Latin prefixes: "unter|kunft", "trans|mission" are one unit.
PARTICLES = frozenset(
    "allein durch empor entgegen fort gegen gleich heraus herein herum herunter hinaus hinein"
    " hinter hinunter innen miss nach neben nicht nieder rück unter voran voraus vorbei weiter"
    " wider wieder zurück zusammen außen über anti extra hyper inter makro mega meta mikro"
    " multi para poly pseudo semi super trans ultra".split()
)
_LONGEST_GLUE = max(map(len, PARTICLES))
#: Nouns that are mostly a suffix in disguise: "bild|enden", "beleg|schaft", "funkt|ionen".
BAD_HEADS = frozenset(
    "ende enden endes ender ionen lunge lungen schaft schaften nahme rinnen mäßigkeit"
    " mäßigkeiten".split()
)
#: Adjective suffixes in any inflection: "sonder|bares", "schad|hafte", "boden|losen".
SUFFIX_HEAD = re.compile(r"(bar|haft|los|mäßig|gemäß)(e[mnrs]?|er(e[mnrs]?)?|st(e[mnrs]?)?)?")
#: A stem's tail, never a modifier: "regress|ions|analysen".
BAD_MODIFIERS = frozenset({"ions"})
#: Nouns with these endings always take a Fugen-s ("Klassifikations-", "Zuwendungs-").
FUGEN_S_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "sion", "tät", "ling", "tum")
_FUGEN_S = tuple(ending + "s" for ending in FUGEN_S_ENDINGS)


class LexiconNotFound(FileNotFoundError):
    """The Hunspell German dictionary is not installed."""


@dataclass(frozen=True)
class Lexicon:
    """Lower-cased forms from the dictionary. ``kinds``: form -> bits: a stand-alone WORD
    (and NOUN), a form that may BEGIN, continue (MIDDLE) or END a compound, linking element
    included; ``forbidden``: misspellings the dictionary rejects; ``base``: the entry an
    inflected noun form comes from ("anträgen" -> "antrag"); ``glue``: particles and compound
    forms too short to stand alone ("unter", "maß"), inside a word and at its start."""

    kinds: dict[str, int]
    forbidden: frozenset[str]
    base: dict[str, str]
    glue: tuple[frozenset[str], frozenset[str]]

    def count(self, kind: int) -> int:
        return sum(1 for bits in self.kinds.values() if bits & kind)


class _Rule(NamedTuple):
    strip: str
    add: str
    flags: str
    condition: re.Pattern[str]


class _Affix:
    """One PFX/SFX class. Conditions look at a few letters at the word's edge only, so the
    rules that apply are cached per edge: expanding 75,000 entries takes 1 s instead of 4."""

    def __init__(self, prefix: bool, cross: bool, rules: list[_Rule]) -> None:
        self.prefix, self.cross, self.rules = prefix, cross, rules
        self.width = max(
            max(len(re.findall(r"\[.*?\]|[^$]", r.condition.pattern)), len(r.strip)) for r in rules
        )
        self._by_edge: dict[str, list[_Rule]] = {}

    def _matching(self, edge: str) -> list[_Rule]:
        if self.prefix:
            return [r for r in self.rules if edge.startswith(r.strip) and r.condition.match(edge)]
        return [r for r in self.rules if edge.endswith(r.strip) and r.condition.search(edge)]

    def apply(self, word: str) -> Iterator[tuple[str, str]]:
        edge = word[: self.width] if self.prefix else word[-self.width :]
        rules = self._by_edge.get(edge) if len(word) >= self.width else self._matching(word)
        if rules is None:
            rules = self._by_edge[edge] = self._matching(edge)
        for r in rules:
            cut = word[len(r.strip) :] if self.prefix else word[: len(word) - len(r.strip)]
            yield (r.add + cut if self.prefix else cut + r.add), r.flags


def _read_affixes(path: Path) -> dict[str, _Affix]:
    """Parse PFX/SFX classes; rules that add a hyphen ("Arbeits-") are dropped."""
    heads: dict[str, tuple[bool, bool]] = {}
    rules: dict[str, list[_Rule]] = {}
    for f in (line.split() for line in path.read_text(encoding="utf-8").splitlines()):
        if len(f) < 4 or f[0] not in ("PFX", "SFX"):
            continue
        if len(f) == 4 and f[2] in "YN" and f[3].isdigit():
            heads[f[1]] = (f[0] == "PFX", f[2] == "Y")
        elif "-" not in (add := f[3].partition("/"))[0]:
            cond = f[4] if len(f) > 4 else "."
            pattern = re.compile(cond + "$" if f[0] == "SFX" else cond)
            strip, text = ("" if x == "0" else x for x in (f[2], add[0]))  # "0": nothing
            rule = _Rule(strip, text, add[2], pattern)
            rules.setdefault(f[1], []).append(rule)
    return {k: _Affix(*heads[k], v) for k, v in rules.items() if k in heads}


def _forms(root: str, flags: str, affixes: dict[str, _Affix]) -> Iterator[tuple[str, str]]:
    """The root and its affixed forms (cross products too), each with its rule's flags."""
    yield root, ""
    classes = [affixes[f] for f in flags if f in affixes]
    suffixed = []
    for affix in classes:
        for form, cont in affix.apply(root):
            yield form, cont
            if affix.cross and not affix.prefix and not cont:
                suffixed.append(form)
    for affix in (a for a in classes if a.prefix and a.cross):
        yield from ((f, c) for word in suffixed for f, c in affix.apply(word) if not c)


def load_lexicon(dic: Path = DIC_PATH, aff: Path = AFF_PATH) -> Lexicon:
    """Read and expand a Hunspell dictionary into the sets the splitter needs.

    :raises LexiconNotFound: a file is missing; the message names the Debian package.
    """
    for path in (dic, aff):
        if not path.is_file():
            raise LexiconNotFound(
                f"German dictionary {path} not found: install the Debian package"
                f" {DEBIAN_PACKAGE} (scripts/system-deps.sh does)"
            )
    affixes = _read_affixes(aff)
    kinds: dict[str, int] = {}
    forbidden: set[str] = set()
    base: dict[str, str] = {}
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        root, _, flags = line.partition("/")
        if not root or root[0] in "\t#" or "." in root:
            continue
        for form, cont in _forms(root, flags, affixes):
            low = form.lower()
            if "-" in form or (form == root and _NEED_AFFIX in flags and not cont):
                continue
            bits = 0
            if _FORBIDDEN in flags:
                forbidden.add(low)
            elif cont:  # a compound form made by an affix ("Antrags" + x)
                bits = sum(_KIND[f] for f in set(cont) & _KIND.keys())
            else:
                # Capitalised entries are nouns, and -ung nouns derived from verbs.
                derived = form != root and low.endswith(("ung", "ungen"))
                bits = END if _END in flags else 0
                if _ONLY_IN not in flags:
                    bits |= WORD | (NOUN if form[0].isupper() or derived else 0)
                if form != root and (root[0].isupper() or _END in flags) and not derived:
                    base.setdefault(low, root.lower())
            if bits:
                kinds[low] = kinds.get(low, 0) | bits
    glue = tuple(
        PARTICLES | {w for w, bits in kinds.items() if bits & kind and len(w) < MIN_PART}
        for kind in (MIDDLE, BEGIN)
    )
    return Lexicon(kinds, frozenset(forbidden), base, (glue[0], glue[1]))


_load_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The system dictionary's lexicon, loaded once per process on first use (about 1 s).

    Cached at module level, never on a filter: Whoosh pickles the schema, analyzers
    included, into the index. The lock keeps two threads from loading it twice.
    """
    with _load_lock:
        return _system_lexicon()


@functools.lru_cache(maxsize=1)
def _system_lexicon() -> Lexicon:
    start = time.perf_counter()
    lex = load_lexicon(DIC_PATH, AFF_PATH)
    took = time.perf_counter() - start
    logger.info("Loaded %d German forms from %s in %.2fs", len(lex.kinds), DIC_PATH, took)
    return lex


class _Unit(NamedTuple):
    """One part of a split. ``weak``: no compound flag (a plain noun or an adjective head)."""

    start: int
    end: int
    head: bool
    weak: bool


Parse = tuple[_Unit, ...]
_Memo = dict[tuple[int, bool, bool], list[Parse]]


def _noun_like(text: str, lex: Lexicon) -> bool:
    """A noun by the dictionary, by its ending, as particle + noun, or as a compound."""
    kinds = lex.kinds
    if kinds.get(text, 0) & (END | NOUN) or (text.endswith(FUGEN_S_ENDINGS) and len(text) > 5):
        return True
    glue = (text[:j] in lex.glue[1] and kinds.get(text[j:], 0) & NOUN for j in range(2, len(text)))
    return any(glue) or bool(split_offsets(text))


def _strip_fugen(form: str, lex: Lexicon) -> str:
    """ "integrations" -> "integration", "landes" -> "land"; other linking forms stay."""
    for link in ("es", "s"):
        base = form[: -len(link)]
        if form.endswith(link) and len(base) > 2 and _noun_like(base, lex):
            return base
    return form


def _modifiers(word: str, i: int, first: bool, lex: Lexicon) -> Iterator[tuple[int, bool]]:
    """Ends j of the parts word[i:j] that may stand before another part, and if weak.

    Strong: a compound form from the dictionary, or a noun in -ung, -heit, -tion ... with its
    Fugen-s (unless it splits itself: "kommunalintegrations"). Weak: another noun form.
    """
    kinds, want = lex.kinds, BEGIN if first else MIDDLE
    for j in range(i + MIN_PART, len(word) - 2):
        part = word[i:j]
        kind = kinds[part] if part in kinds else 0  # "in" first: most slices are no word
        if (not kind and part[-1] != "s") or part in PARTICLES or part in BAD_MODIFIERS:
            continue
        if kind & want:
            yield j, False
        elif part[-1] == "s" and part.endswith(_FUGEN_S) and j - i > 6:
            if (noun := kinds.get(base := part[:-1], 0) & NOUN) or not split_offsets(base):
                yield j, not noun
        elif kind & NOUN:
            yield j, True


def _parses(word: str, i: int, first: bool, glued: bool, memo: _Memo, lex: Lexicon) -> list[Parse]:
    """Readings of word[i:] as modifier* head, best first; the best eight per suffix only."""
    if (key := (i, first, glued)) in memo:
        return memo[key]
    found: list[Parse] = []
    rest, size = word[i:], len(word) - i
    kind = lex.kinds[rest] if rest in lex.kinds else 0
    if kind and not first and (glued or not (rest in BAD_HEADS or SUFFIX_HEAD.fullmatch(rest))):
        if (size >= MIN_PART and kind & NOUN) or (size >= MIN_PART - 1 and kind & END):
            found.append((_Unit(i, len(word), True, False),))  # short heads: see _allowed
        elif size > MIN_PART and kind & WORD:
            found.append((_Unit(i, len(word), True, True),))  # adjective or participle
    for j in range(i + 2, min(len(word) - 2, i + _LONGEST_GLUE + 1)):
        if word[i:j] in lex.glue[first]:
            for unit, *tail in _parses(word, j, first, True, memo, lex):
                found.append((unit._replace(start=i), *tail))
    for j, weak in _modifiers(word, i, first, lex):
        found.extend(
            (_Unit(i, j, False, weak), *p) for p in _parses(word, j, False, False, memo, lex)
        )
    found.sort(key=lambda p: (len(p), sum(u.weak for u in p), -min(u.end - u.start for u in p)))
    memo[key] = found[:8]
    return memo[key]


def _allowed(word: str, parse: Parse, lex: Lexicon) -> bool:
    """The checks that need the whole reading: short heads, adjective heads, listed words."""
    head, before = parse[-1], word[parse[-2].start : parse[-2].end]
    if head.end - head.start < MIN_PART and not (
        before[-1] == "s" and _strip_fugen(before, lex) != before
    ):
        return False  # "Landes|amt", but not "Sozial|amt"
    kinds = lex.kinds
    if head.weak and (parse[-2].weak or not kinds.get(word[head.start :], 0) & WORD):
        return False  # an adjective head needs a strong modifier and must be a word
    if kinds.get(word, 0) & (WORD | NOUN) == WORD:  # "verbringen" is no verb|ringen
        return head.weak and all(_long_noun(word, u, lex) and not u.weak for u in parse[:-1])
    if kinds.get(word, 0) & WORD:  # "Verbrauch" is no verb|rauch, "Patienten" no pati|enten
        for unit in parse:
            text = word[unit.start : unit.end]
            base = _strip_fugen(text, lex)  # "förder", "antrags": made for compounds
            bound = not kinds.get(text, 0) & WORD or (base != text and len(base) > MIN_PART)
            if not (_long_noun(word, unit, lex) or (bound and not unit.head and not unit.weak)):
                return False
    return True


def _long_noun(word: str, unit: _Unit, lex: Lexicon) -> bool:
    """Surely a noun, and five letters or more (after any Fugen-s)."""
    text = word[unit.start : unit.end]
    text = text if unit.head else _strip_fugen(text, lex)
    nominal = lex.kinds.get(text, 0) & (NOUN | END) or text.endswith(FUGEN_S_ENDINGS)
    return bool(nominal) and len(text) > MIN_PART


def _plain_s(word: str, parse: Parse) -> int:
    """Modifiers ending in an "s" that is no obligatory Fugen-s (as after -ung)."""
    texts = (word[u.start : u.end] for u in parse[:-1])
    return sum(t[-1] == "s" and not t[:-1].endswith(FUGEN_S_ENDINGS) for t in texts)


def _may_split(word: str, lex: Lexicon) -> bool:
    """Cheap test first (most words fail it): a known head ends the word, an opener starts it."""
    kinds, glue = lex.kinds, lex.glue[1]
    for k in range(MIN_PART, len(word) - 2):
        if (tail := word[k:]) in kinds and kinds[tail] & (WORD | END):
            break
    else:
        return False
    for k in range(2, len(word) - 2):
        if (head := word[:k]) in glue or (head in kinds and kinds[head] & (BEGIN | NOUN)):
            return True
    return False


@functools.lru_cache(maxsize=100_000)
def split_offsets(word: str) -> tuple[tuple[str, int, int], ...]:
    """The parts of a lower-case ``word``, each with its start and end offset in it.

    First the finest parts, modifiers without Fugen-s ("arbeit", "markt", "integration"),
    then, for an inflected last part, its dictionary form and the word with it ("kurs",
    "integrationskurs" for "integrationskurse": the stemmer makes "kurs" of "Kurse" but
    "kur" of "Kurs", and does not undo umlaut plurals), then the word less its first or its
    last part, so that "Arbeitsmarkt" finds "Arbeitsmarktintegration" and
    "Migrationsdienst" "Jugendmigrationsdienst".
    Cached, since indexing asks for every token.
    """
    if not (2 * MIN_PART - 1 <= len(word) <= MAX_WORD and word.isalpha()):
        return ()
    lex = lexicon()
    if word in lex.forbidden or not _may_split(word, lex):
        return ()
    parses = [
        p for p in _parses(word, 0, True, False, {}, lex) if len(p) > 1 and _allowed(word, p, lex)
    ]
    if lex.kinds.get(word, 0) & WORD:  # listed compounds: "Antrag|steller", "Einkommen|steuer"
        parses.sort(key=lambda p: (len(p), _plain_s(word, p)))
    if not parses:
        return ()
    parse, n = parses[0], len(parses[0])
    texts = [
        word[u.start : u.end] if u.head else _strip_fugen(word[u.start : u.end], lex) for u in parse
    ]
    leaves = [(t, u.start, u.start + len(t)) for t, u in zip(texts, parse, strict=True)]
    if (base := lex.base.get(texts[-1], texts[-1])) != texts[-1]:  # "kurse": "kurs" as well
        start = parse[-1].start
        end = start + len(base) if word.startswith(base, start) else len(word)
        leaves += [(base, start, end), (word[:start] + base, 0, end)]
    runs = [  # the run without the head must end in a noun: "arbeitsmarkt", not "förderungsricht"
        (word[parse[a].start : parse[b].start] + texts[b], parse[a].start, leaves[b][2])
        for a, b in ((0, n - 2), (1, n - 1))
        if n > 2 and (parse[b].head or lex.kinds.get(texts[b], 0) & (NOUN | END))
    ]
    unique: dict[str, tuple[str, int, int]] = {}
    for part in leaves + runs:
        if part[0] != word:
            unique.setdefault(part[0], part)
    return tuple(unique.values())


def split_compound(word: str) -> list[str]:
    """Split a German compound into lower-case parts; ``[]`` if it is none.

    >>> split_compound("Integrationskurse")
    ['integration', 'kurse', 'kurs', 'integrationskurs']
    >>> split_compound("Arbeitsmarktintegration")
    ['arbeit', 'markt', 'integration', 'arbeitsmarkt', 'marktintegration']
    >>> split_compound("Patienten"), split_compound("verbringen")
    ([], [])

    :param word: one word, any case; the first call loads the dictionary (about 1 s).
    :raises LexiconNotFound: the Debian package hunspell-de-de is not installed.
    """
    return [text for text, _, _ in split_offsets(word.lower())]
