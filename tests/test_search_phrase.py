"""Phrases by position sets (kb.search.phrase) match and score exactly as Whoosh's own."""

from __future__ import annotations

import random

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Phrase

from kb.search.analysis import german_split_analyzer
from kb.search.phrase import ConsecutivePhrase

WORDS = "die der anzahl werden als förderantrag antrag stellen und in jede frist".split()


@pytest.fixture(scope="module")
def searcher():  # type: ignore[no-untyped-def]
    schema = Schema(id=ID(stored=True), text=TEXT(analyzer=german_split_analyzer()))
    index = RamStorage().create_index(schema)
    rng = random.Random(7)
    with index.writer() as writer:
        for n in range(300):
            words = [rng.choice(WORDS) for _ in range(rng.randint(1, 40))]
            writer.add_document(id=str(n), text=" ".join(words))
    with index.searcher() as searcher:
        yield searcher
    index.close()


def _hits(searcher, query) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {hit["id"]: round(hit.score, 9) for hit in searcher.search(query, limit=None)}


@pytest.mark.parametrize("seed", range(40))
def test_same_documents_and_scores_as_whoosh(searcher, seed):
    rng = random.Random(seed)
    phrase = [rng.choice(WORDS) for _ in range(rng.randint(2, 4))]
    stems = [t.text for t in german_split_analyzer()(" ".join(phrase), mode="query")]
    ours = _hits(searcher, ConsecutivePhrase("text", stems))
    assert ours == _hits(searcher, Phrase("text", stems))


def test_compound_parts_stand_in_phrases(searcher):
    # "Förderantrag" is indexed with its parts at its own position: "antrag stellen" matches it.
    stems = [t.text for t in german_split_analyzer()("antrag stellen", mode="query")]
    assert _hits(searcher, ConsecutivePhrase("text", stems)) == _hits(
        searcher, Phrase("text", stems)
    )
