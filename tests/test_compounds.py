"""Compound splitting: the splitter, the Whoosh filter, and the hand-judged real words.

The judged list (tests/data/compound_judgements.tsv) is a real test: if a change to the
splitter makes it emit more than 5 % wrong parts on those words, it fails here. The helpers
that read and score it are shared with bench/compounds.py, which prints the same figures.
"""

from __future__ import annotations

import doctest
import pickle
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.index import Index
from whoosh.qparser import QueryParser

from kb.search import analysis, compounds
from kb.search.analysis import CompoundSplitFilter, german_analyzer, german_split_analyzer
from kb.search.compounds import LexiconNotFound, load_lexicon, split_compound

JUDGEMENTS = Path(__file__).parent / "data" / "compound_judgements.tsv"
MAX_WRONG_PART_RATE = 0.05


@dataclass(frozen=True)
class Judgement:
    """One judged word: its correct finest parts and every part that is not wrong."""

    word: str
    parts: tuple[str, ...]
    spelled: str  # the parts with their Fugen-s, joined: must be the word
    accepted: frozenset[str]
    set: str

    def wrong(self, emitted: list[str], base: Mapping[str, str]) -> list[str]:
        """Emitted parts that are not accepted, nor the dictionary form of one or of the word
        ("kurs", "integrationskurs" for "Integrationskurse")."""
        word = self.word.lower()
        forms = set(self.accepted) | {base.get(p, p) for p in self.accepted}
        if self.parts:  # a compound's own dictionary form, with its last part's base form
            forms |= {word[:k] + base[word[k:]] for k in range(len(word)) if word[k:] in base}
        return [p for p in emitted if p not in forms]

    def missed(self, emitted: list[str]) -> list[str]:
        return [p for p in self.parts if p not in emitted]


def read_judgements(path: Path = JUDGEMENTS) -> list[Judgement]:
    """Parse the TSV (format in its header); runs of adjacent parts are accepted too."""
    judgements = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, split, also, subset = line.split("\t")
        pieces = [piece.partition("|") for piece in split.split("+")] if split else []
        parts = tuple(base for base, _, _ in pieces)
        surfaces = [base + link for base, _, link in pieces]
        runs = {
            "".join(surfaces[a:b]) + parts[b]
            for a in range(len(parts))
            for b in range(a + 1, len(parts))
            if (a, b) != (0, len(parts) - 1)
        }
        accepted = frozenset({*parts, *also.split(), *runs})
        judgements.append(Judgement(word, parts, "".join(surfaces), accepted, subset))
    return judgements


def test_judged_splits_spell_their_words() -> None:
    judgements = read_judgements()
    assert len(judgements) >= 200
    assert {j.set for j in judgements} == {"tuning", "holdout"}
    for j in judgements:
        assert j.spelled in ("", j.word.lower()), j


def test_judged_words_wrong_part_rate_at_most_five_percent() -> None:
    emitted = wrong = 0
    bad = []
    base = compounds.lexicon().base
    for j in read_judgements():
        parts = split_compound(j.word)
        emitted += len(parts)
        if errors := j.wrong(parts, base):
            wrong += len(errors)
            bad.append((j.word, errors))
    assert emitted > 300  # the splitter does split: a silent no-op must not pass
    assert wrong / emitted <= MAX_WRONG_PART_RATE, bad


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Arbeitsmarktintegration", {"arbeitsmarkt", "integration", "arbeit", "markt"}),
        ("Integrationskurse", {"integration", "kurse"}),
        ("Förderantrag", {"förder", "antrag"}),
        ("Antragsformular", {"antrag", "formular"}),
        ("Verwendungsnachweis", {"verwendung", "nachweis"}),
        ("Landesverwaltungsamt", {"land", "verwaltung", "amt", "landesverwaltung"}),
        ("Antragstellerinnen", {"antrag", "stellerinnen"}),
    ],
)
def test_splits_with_linking_elements(word: str, parts: set[str]) -> None:
    assert parts <= set(split_compound(word))


@pytest.mark.parametrize(
    "word",
    ["Patienten", "verbringen", "Bearbeitung", "Verbrauch", "Unterkunft", "Integration", "Kurs"],
)
def test_leaves_non_compounds_alone(word: str) -> None:
    assert split_compound(word) == []


def test_junk_parts_never_appear() -> None:
    words = ["Patientenakte", "verbringenden", "Bearbeitungsstand", "Verbrauchsteuer"]
    emitted = {part for word in words for part in split_compound(word)}
    assert not emitted & {"pati", "enten", "verb", "ringen", "bear", "beitung", "rauch"}


def test_short_and_odd_tokens_are_not_split() -> None:
    assert split_compound("") == split_compound("2024") == split_compound("amt") == []
    assert split_compound("integrations_kurse") == []


def _texts(analyzer, text: str, **kwargs) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(t.text, t.pos) for t in analyzer(text, positions=True, **kwargs)]


def _stem(word: str) -> str:
    """What german_analyzer() makes of one word (the stemming itself is not tested here)."""
    return next(t.text for t in german_analyzer()(word))


def test_filter_yields_token_then_parts_at_its_position() -> None:
    tokens = _texts(german_split_analyzer(), "Der Förderantrag liegt vor", mode="index")
    words = ["der", "förderantrag", "förder", "antrag", "liegt", "vor"]
    assert tokens == list(zip(map(_stem, words), [0, 1, 1, 1, 2, 3], strict=True))


def test_queries_are_not_split() -> None:
    query = _texts(german_split_analyzer(), "Förderantrag", mode="query")
    assert query == _texts(german_analyzer(), "Förderantrag", mode="query")


def test_parts_carry_their_own_character_offsets() -> None:
    text = "Neuer Förderantrag"
    tokens = german_split_analyzer()(text, chars=True, mode="index")
    spans = [(t.text, text[t.startchar : t.endchar]) for t in tokens]  # Whoosh reuses t
    assert (_stem("antrag"), "antrag") in spans
    assert (_stem("förder"), "Förder") in spans
    assert (_stem("förderantrag"), "Förderantrag") in spans


def test_analyzer_pickles_small_without_the_lexicon() -> None:
    compounds.lexicon()  # loaded, so a lexicon on the instance would show in the pickle
    data = pickle.dumps(german_split_analyzer())
    assert len(data) < 2_000, len(data)
    assert b"frozenset" not in data and b"Lexicon" not in data
    restored = pickle.loads(data)
    tokens = [t.text for t in restored("Integrationskurse")]
    words = ["integrationskurse", "integration", "kurse", "kurs", "integrationskurs"]
    assert tokens == [_stem(word) for word in words]
    assert pickle.loads(pickle.dumps(CompoundSplitFilter())) == CompoundSplitFilter()


@pytest.fixture(scope="module")
def ram_index() -> Iterator[Index]:
    analyzer = german_split_analyzer()
    schema = Schema(id=ID(stored=True), content=TEXT(analyzer=analyzer, stored=True))
    index = RamStorage().create_index(schema)
    docs = {
        "markt": "Arbeitsmarktintegration",
        "foerder": "Bitte den Förderantrag rechtzeitig einreichen",
        "formular": "Das Antragsformular",
        "plural": "Zwei Förderanträge liegen vor",
        "kurse": "Integrationskurse",
        "plain": "Die Kurse beginnen rechtzeitig",
    }
    with index.writer() as writer:
        for doc_id, content in docs.items():
            writer.add_document(id=doc_id, content=content)
    yield index
    index.close()


def _hits(index: Index, query: str) -> dict[str, str]:
    """Document id -> highlighted snippet, for every hit."""
    with index.searcher() as searcher:
        parsed = QueryParser("content", index.schema).parse(query)
        return {hit["id"]: hit.highlights("content") for hit in searcher.search(parsed, limit=None)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Integration", {"markt", "kurse"}),
        ("Arbeitsmarkt", {"markt"}),
        ("Antrag", {"foerder", "formular", "plural"}),  # plural via the part's base form
        ("Kurs", {"kurse"}),  # not "plain": Snowball stems Kurs to "kur" but Kurse to "kurs"
        ("Kurse", {"kurse", "plain"}),
        ("Integrationskurs", {"kurse"}),
        ("Förderantrag", {"foerder", "plural"}),
        ('"rechtzeitig einreichen"', {"foerder"}),
        ('"einreichen rechtzeitig"', set()),
        ('"Förderantrag rechtzeitig"', {"foerder"}),
        ('"Antrag rechtzeitig"', {"foerder"}),  # a part stands where its compound stands
    ],
)
def test_ram_index_finds_compounds_by_their_parts(
    ram_index: Index, query: str, expected: set[str]
) -> None:
    assert set(_hits(ram_index, query)) == expected


def test_highlights_mark_the_part_inside_the_compound(ram_index: Index) -> None:
    snippets = _hits(ram_index, "Antrag")
    assert re.search(r"Förder<b [^>]*>antrag</b>", snippets["foerder"])
    assert re.search(r"Förder<b [^>]*>anträge</b>", snippets["plural"])


def test_missing_dictionary_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(LexiconNotFound, match="hunspell-de-de"):
        load_lexicon(tmp_path / "de_DE.dic", tmp_path / "de_DE.aff")


def test_missing_system_dictionary_fails_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compounds, "DIC_PATH", Path("/nonexistent/de_DE.dic"))
    compounds._system_lexicon.cache_clear()
    compounds.split_offsets.cache_clear()
    try:
        with pytest.raises(LexiconNotFound, match="install the Debian package hunspell-de-de"):
            split_compound("Förderantrag")
    finally:
        compounds._system_lexicon.cache_clear()
        compounds.split_offsets.cache_clear()


@pytest.mark.parametrize("module", [compounds, analysis])
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
