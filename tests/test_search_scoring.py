"""kb.search.scoring: BM25F from per-segment length tables scores exactly as Whoosh does."""

from __future__ import annotations

import pytest
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from kb.search import querylang, rerank
from kb.search.query import SEARCH_FIELDS
from kb.search.scoring import TableBM25F, TableScorer

LAWS = [
    "revosax_Integrations-_und_Teilhabegesetz.md",
    "revosax_Fluechtlinge_soziale_Betreuung_FRL.md",
    "revosax_Auslaenderbeauftragte_Gesetz.md",
]
QUERIES = [
    "Integration",
    "Förderung Antrag",
    "soziale Betreuung OR Beauftragte",
    '"Landesdirektion Sachsen"',
    "Integration -Kurzer",
    "Beauftrag*",
]


@pytest.fixture
def laws(kb, make_item, corpus_dir):
    for name in LAWS:
        make_item((corpus_dir / name).read_text(encoding="utf-8"), title=name[8:-3])
    make_item("Kurzer Antrag zur Förderung der Integration", title="Kurz")
    return kb


def _scored(searcher, text):  # type: ignore[no-untyped-def]
    parser = querylang.make_parser(SEARCH_FIELDS, searcher.schema)
    query = querylang.bound_prefixes(querylang.parse(text, parser, None), searcher.reader())
    query = rerank.without_exact(query)  # as the search matches; exact fields only rerank
    results = searcher.search(query, limit=None)
    return [(docnum, score) for score, docnum in results.top_n]


@pytest.mark.parametrize("text", QUERIES)
def test_scores_are_whooshs_bit_for_bit(laws, text):
    with laws.index.searching() as searcher:
        assert isinstance(searcher.weighting, TableBM25F)
        ours = _scored(searcher, text)
        whooshs = Searcher(searcher.reader(), weighting=BM25F(), closereader=False)
        reference = _scored(whooshs, text)
    assert ours, text
    assert ours == reference


def test_the_length_table_is_used_for_every_scorable_field(laws):
    with laws.index.searching() as searcher:
        for sub, _offset in searcher.leaf_searchers():
            for field in ("alltext", "title", "content"):
                if sub.reader().doc_frequency(field, "integration"):
                    scorer = searcher.weighting.scorer(sub, field, "integration")
                    assert isinstance(scorer, TableScorer), (field, scorer)
                    assert len(laws.index.segments.length_bytes(sub.reader(), field)) == (
                        sub.reader().doc_count_all()
                    )
