"""German compound splitting at index time, from the Hunspell German dictionary.

"Integration" should find "Arbeitsmarktintegration" and "Antrag" should find
"Förderantrag", so the index gets each compound *and* its parts.

Why Hunspell's de_DE (Debian ``hunspell-de-de``) and not ``wngerman``: both come
from igerman98 (2016-12-07), but ``/usr/share/dict/ngerman`` is an already
expanded word list that lacks whole entries ("Schule", "Abfrage", "Abfahrt" are
missing) and knows nothing about word formation. The Hunspell files do: nouns
usable as the last part of a compound carry the COMPOUNDEND flag, and the
forms usable before another part carry COMPOUNDBEGIN/MIDDLE, linking element
included ("Arbeits", "Antrags", "Integrations", "Förder", "Schul"). So linking
elements (Fugen-s, -es, -n, -en, -er, -e) come from the dictionary rather than
from guessing, and "pati|enten" or "bear|beitung" never arise: "pati" and
"bear" are no compound-begin forms. Expanding the affixes gives the inflected
forms ("Kurse", "Anträgen") the heads need. The index's own vocabulary was no
option: it would make splits depend on what happens to be indexed.

What the dictionary does not decide, rules here do (each one fixes a failure
seen on real text): a word that is itself a dictionary verb or adjective is
never split ("verbringen" is not verb|ringen), a dictionary noun only when the
parts are long nouns or bound compound forms; particles ("unter", "über",
"wieder") glue to the next part instead of standing alone; a few nouns that
look like suffixes ("-ende", "-lose", "-schaft") are no heads; parts have at
least four letters, except a three-letter head after a Fugen-s ("Bundesamt").
Among the remaining splits the one with the fewest, then the strongest, then
the longest parts wins.

Only lower-case, NFKC text is split (the analysis chain lower-cases first);
umlauts and ß are expected unfolded, as in the dictionary.
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

logger = logging.getLogger(__name__)

DEBIAN_PACKAGE = "hunspell-de-de"
DIC_PATH = Path("/usr/share/hunspell/de_DE.dic")
AFF_PATH = Path("/usr/share/hunspell/de_DE.aff")

#: Shortest part; three letters allowed only for a head after a Fugen-s ("Landesamt").
MIN_PART = 4
#: Longer tokens are no words (hashes, run-together text); they are left alone.
MAX_WORD = 60
#: Hunspell flags in de_DE.aff: compound begin/middle/end, only-in-compound, pseudo-root,
#: forbidden.
_BEGIN, _MIDDLE, _END, _ONLY_IN, _NEED_AFFIX, _FORBIDDEN = "xyzohd"
#: Verb particles and prepositions: "unter|kunft" is one unit, not two parts.
PARTICLES = frozenset(
    "allein durch empor entgegen fort gegen heraus herein herum herunter hinaus hinein"
    " hinter hinunter innen miss nach neben nieder ober rück unter voran voraus vorbei"
    " wider wieder zurück zusammen außen über".split()
)
#: Nouns that are mostly a suffix in disguise: "bild|enden", "boden|losen", "beleg|schaft".
BAD_HEADS = frozenset(
    "ende enden endes ender lose losen loses loser losem ionen schaft schaften nahme rinnen".split()
)


class LexiconNotFound(FileNotFoundError):
    """The Hunspell German dictionary is not installed."""


@dataclass(frozen=True)
class Lexicon:
    """Lower-cased word sets from the Hunspell dictionary.

    :param words: every stand-alone form (inflections expanded).
    :param nouns: the stand-alone forms of capitalised entries.
    :param begin: forms that may start a compound, linking element included.
    :param middle: forms that may stand inside a compound.
    :param end: forms that may end a compound (nouns, inflected).
    :param forbidden: misspellings the dictionary rejects; never split.
    """

    words: frozenset[str]
    nouns: frozenset[str]
    begin: frozenset[str]
    middle: frozenset[str]
    end: frozenset[str]
    forbidden: frozenset[str]


@dataclass(frozen=True)
class _Rule:
    strip: str
    add: str
    flags: str
    condition: re.Pattern[str]


class _Affix:
    """One PFX/SFX class. A rule's condition only looks at the word's first (PFX) or
    last (SFX) few letters, so the rules that apply are cached per such ending: that
    makes expanding 75,000 entries take about a second instead of four."""

    def __init__(self, prefix: bool, cross: bool, rules: tuple[_Rule, ...]) -> None:
        self.prefix, self.cross, self.rules = prefix, cross, rules
        self.width = max(max(_positions(r.condition.pattern), len(r.strip)) for r in rules)
        self._by_edge: dict[str, tuple[_Rule, ...]] = {}

    def _matching(self, edge: str) -> tuple[_Rule, ...]:
        if self.prefix:
            return tuple(
                r for r in self.rules if edge.startswith(r.strip) and r.condition.match(edge)
            )
        return tuple(r for r in self.rules if edge.endswith(r.strip) and r.condition.search(edge))

    def apply(self, word: str) -> Iterator[tuple[str, str]]:
        if len(word) < self.width:
            rules = self._matching(word)
        else:
            edge = word[: self.width] if self.prefix else word[-self.width :]
            rules = self._by_edge.get(edge)
            if rules is None:
                rules = self._by_edge[edge] = self._matching(edge)
        for r in rules:
            if self.prefix:
                yield r.add + word[len(r.strip) :], r.flags
            else:
                yield word[: len(word) - len(r.strip)] + r.add, r.flags


def _positions(condition: str) -> int:
    """Letters a condition spans: "[^e][rl]$" is two."""
    return len(re.findall(r"\[[^]]*\]|[^$]", condition))


def _read_affixes(path: Path) -> dict[str, _Affix]:
    """Parse PFX/SFX classes; rules that add a hyphen ("Arbeits-") are dropped."""
    heads: dict[str, tuple[bool, bool]] = {}
    rules: dict[str, list[_Rule]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if len(f) < 4 or f[0] not in ("PFX", "SFX"):
            continue
        if len(f) == 4 and f[2] in "YN" and f[3].isdigit():
            heads[f[1]] = (f[0] == "PFX", f[2] == "Y")
            continue
        add, _, flags = f[3].partition("/")
        if "-" in add:
            continue
        cond = f[4] if len(f) > 4 else "."
        pattern = re.compile(cond + "$" if f[0] == "SFX" else cond)
        rule = _Rule("" if f[2] == "0" else f[2], "" if add == "0" else add, flags, pattern)
        rules.setdefault(f[1], []).append(rule)
    return {k: _Affix(*heads[k], tuple(v)) for k, v in rules.items() if k in heads}


def _forms(root: str, flags: str, affixes: dict[str, _Affix]) -> Iterator[tuple[str, str]]:
    """The root and its affixed forms, each with the affix rule's own flags."""
    yield root, ""
    suffixed = []
    for flag in flags:
        affix = affixes.get(flag)
        if affix is None:
            continue
        for form, cont in affix.apply(root):
            yield form, cont
            if affix.cross and not affix.prefix and not cont:
                suffixed.append(form)
    for flag in flags:  # prefix x suffix, for classes marked cross-product
        affix = affixes.get(flag)
        if affix is not None and affix.prefix and affix.cross:
            for word in suffixed:
                yield from ((f, c) for f, c in affix.apply(word) if not c)


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
    sets: dict[str, set[str]] = {k: set() for k in ("words", "nouns", "x", "y", "z", "d")}
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        root, _, flags = line.partition("/")
        if not root or root[0] in "\t#" or "." in root:
            continue
        for form, cont in _forms(root, flags, affixes):
            low = form.lower()
            if "-" in form:
                continue
            if _FORBIDDEN in flags:
                sets["d"].add(low)
            elif cont:  # a compound form made by an affix ("Antrags" + x)
                for flag in set(cont) & {_BEGIN, _MIDDLE, _END}:
                    sets[flag].add(low)
            elif not (form == root and _NEED_AFFIX in flags):
                if _END in flags:
                    sets["z"].add(low)
                if _ONLY_IN not in flags:
                    sets["words"].add(low)
                    if form[:1].isupper():
                        sets["nouns"].add(low)
    return Lexicon(*(frozenset(sets[k]) for k in ("words", "nouns", "x", "y", "z", "d")))


_load_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The lexicon from the system dictionary, loaded once per process on first use.

    Held in a module-level cache, never on a filter: Whoosh pickles the schema, analyzers
    included, into the index. The lock keeps two threads from loading it twice.
    """
    with _load_lock:
        return _system_lexicon()


@functools.lru_cache(maxsize=1)
def _system_lexicon() -> Lexicon:
    start = time.perf_counter()
    lex = load_lexicon(DIC_PATH, AFF_PATH)
    logger.info(
        "Loaded German compound lexicon (%d words) from %s in %.2fs",
        len(lex.words),
        DIC_PATH,
        time.perf_counter() - start,
    )
    return lex


@dataclass(frozen=True)
class _Unit:
    """One part of a split: where it stands in the word and how much evidence it has."""

    start: int
    end: int
    head: bool
    weak: bool  # a plain noun before the head, or an adjective head: no compound flag


def _strip_fugen(form: str, lex: Lexicon) -> str:
    """ "integrations" -> "integration", "landes" -> "land"; other linking forms stay."""
    for link in ("es", "s"):
        base = form[: -len(link)]
        if form.endswith(link) and (base in lex.end or base in lex.nouns or base in lex.begin):
            return base
    return form


def _modifiers(word: str, i: int, first: bool, lex: Lexicon) -> Iterator[tuple[int, bool]]:
    """Ends j of the parts word[i:j] that may stand before another part, with weakness."""
    forms = lex.begin if first else lex.middle
    for j in range(i + MIN_PART, len(word) - 2):
        part = word[i:j]
        if part in PARTICLES:
            continue
        if part in forms:
            yield j, False
        elif part in lex.nouns:
            yield j, True


Parse = tuple[_Unit, ...]


def _parses(
    word: str, i: int, first: bool, lex: Lexicon, memo: dict[tuple[int, bool], list[Parse]]
) -> list[Parse]:
    """Ways to read word[i:] as (modifier)* head; the best few per suffix, to stay bounded."""
    if (i, first) in memo:
        return memo[(i, first)]
    found: list[Parse] = []
    rest = word[i:]
    if not first and rest not in BAD_HEADS:
        if len(rest) >= MIN_PART and (rest in lex.end or rest in lex.nouns):
            found.append((_Unit(i, len(word), True, False),))
        elif len(rest) > MIN_PART and rest in lex.words:
            found.append((_Unit(i, len(word), True, True),))  # adjective or participle
        elif len(rest) == MIN_PART - 1 and rest in lex.end:
            found.append((_Unit(i, len(word), True, False),))  # checked by _allowed
    for j in range(i + MIN_PART, len(word) - 2):  # a particle glues to the next unit
        if word[i:j] in PARTICLES:
            for head, *tail in _parses(word, j, first, lex, memo):
                found.append((_Unit(i, head.end, head.head, head.weak), *tail))
    for j, weak in _modifiers(word, i, first, lex):
        for parse in _parses(word, j, False, lex, memo):
            found.append((_Unit(i, j, False, weak), *parse))
    found.sort(key=_cost)
    memo[(i, first)] = found[:8]
    return memo[(i, first)]


def _cost(parse: Parse) -> tuple[int, int, int]:
    """Fewest parts, then fewest weak ones, then the longest shortest part."""
    return (len(parse), sum(u.weak for u in parse), -min(u.end - u.start for u in parse))


def _allowed(word: str, parse: Parse, lex: Lexicon) -> bool:
    """The checks that need the whole parse: short heads, adjective heads, lexicon words."""
    head, before = parse[-1], word[parse[-2].start : parse[-2].end]
    fugen_s = before.endswith("s") and _strip_fugen(before, lex) != before
    if head.end - head.start < MIN_PART and not fugen_s:
        return False
    if head.weak and (parse[-2].weak or word in lex.words):
        return False
    if word in lex.words:  # "Verbrauch" is no verb|rauch, "Patienten" no pati|enten
        if word not in lex.nouns:
            return False
        for unit in parse:
            text = word[unit.start : unit.end]
            long_noun = text in lex.nouns and len(text) > MIN_PART
            bound = text not in lex.words or _strip_fugen(text, lex) != text
            if unit.weak or not (long_noun or (bound and not unit.head)):
                return False
    return True


@functools.lru_cache(maxsize=100_000)
def split_offsets(word: str) -> tuple[tuple[str, int, int], ...]:
    """The parts of a lower-case ``word`` with their character offsets in it.

    First the finest parts, modifiers without Fugen-s ("arbeit", "markt",
    "integration"), then every run of adjacent parts that is shorter than the word
    ("arbeitsmarkt", "marktintegration"), so a search for a part compound finds it too.
    Cached, since indexing asks for every token.
    """
    if not (2 * MIN_PART - 1 <= len(word) <= MAX_WORD) or not word.isalpha():
        return ()
    lex = lexicon()
    if word in lex.forbidden:
        return ()
    memo: dict[tuple[int, bool], list[Parse]] = {}
    parse = next(
        (p for p in _parses(word, 0, True, lex, memo) if len(p) > 1 and _allowed(word, p, lex)),
        None,
    )
    if parse is None:
        return ()
    leaves = []
    for unit in parse:
        text = word[unit.start : unit.end]
        text = text if unit.head else _strip_fugen(text, lex)
        leaves.append((text, unit.start, unit.start + len(text)))
    runs = [
        (word[parse[a].start : parse[b].start] + leaves[b][0], parse[a].start, leaves[b][2])
        for size in range(len(parse) - 1, 1, -1)
        for a in range(len(parse) - size + 1)
        for b in [a + size - 1]
    ]
    seen = {word}
    return tuple(p for p in leaves + runs if not (p[0] in seen or seen.add(p[0])))


def split_compound(word: str) -> list[str]:
    """Split a German compound into lower-case parts; ``[]`` if it is none.

    >>> split_compound("Integrationskurse")
    ['integration', 'kurse']
    >>> split_compound("Arbeitsmarktintegration")
    ['arbeit', 'markt', 'integration', 'arbeitsmarkt', 'marktintegration']
    >>> split_compound("Patienten"), split_compound("verbringen")
    ([], [])

    :param word: one word, any case; the first use loads the dictionary (about a second).
    :raises LexiconNotFound: the Debian package hunspell-de-de is not installed.
    """
    return [text for text, _, _ in split_offsets(word.lower())]
