"""Measured relevance: recall@10 and MRR of the judged queries never fall below the floors.

The collection (demo content plus the shared real-document corpus), the judged queries and
the figures are in ``tests/relevance``; ``bench/relevance.py`` prints the same figures per
kind of query and per query, with the documents each one misses.
"""

from __future__ import annotations

import pytest
from relevance import harness

# The floors are the figures the engine reached when they were last set, rounded DOWN to two
# decimals (bench/relevance.py prints them). They must be RAISED whenever the engine improves
# (compound splitting, synonyms, stemming …), so that no later change can quietly give the
# improvement back; lower them only with a reason written here.
# First set on 2026-11-25 at commit 880541f (recall@10 0.837, MRR 0.914). Raised the same day
# after item-level matching, umlaut-aware stemming and compound splitting: recall@10 0.948,
# MRR 0.981 over 108 queries (docs/benchmarks.md, "Relevance").
# Recall lowered to 0.91 on 2026-11-25 with no engine change: the demo's history (talks,
# events, Q&A entries, the previous guidance) was judged into the same 108 queries, which now
# name 365 relevant documents instead of 237 (3.4 per query instead of 2.2). "Ideenwerkstatt"
# and "IKOE" have 24 each, so their recall@10 is at most 10/24 and the best possible overall
# recall is 0.989; the engine reaches 0.916 (docs/benchmarks.md, "Relevance"). More relevant
# documents cannot lower MRR, so its floor stays.
RECALL_AT_10_FLOOR = 0.91
MRR_FLOOR = 0.98

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def collection() -> harness.Collection:
    if not harness.corpus_available():
        pytest.skip(
            f"real-document corpus folder {harness.CORPUS_DIR} is missing (set KB_CORPUS_DIR)"
        )
    return harness.collection()


@pytest.fixture(scope="module")
def judgements() -> list[harness.Judgement]:
    return harness.load_judgements()


@pytest.fixture(scope="module")
def metrics(collection: harness.Collection, judgements: list[harness.Judgement]) -> harness.Metrics:
    return harness.evaluate(collection, judgements)


def test_judgements_cover_every_kind(judgements: list[harness.Judgement]) -> None:
    assert len(judgements) >= 60
    assert {j.kind for j in judgements} == set(harness.KINDS)
    assert len({j.query for j in judgements}) == len(judgements), "a query is judged twice"


def test_every_query_has_a_relevant_document_in_the_collection(
    collection: harness.Collection, judgements: list[harness.Judgement]
) -> None:
    without = [j.query for j in judgements if not any(n in collection.items for n in j.relevant)]
    assert not without, f"no judged document of these queries is in the collection: {without}"


def test_every_judged_document_is_in_the_collection(
    collection: harness.Collection, judgements: list[harness.Judgement]
) -> None:
    unknown = harness.unknown_documents(collection, judgements)
    assert not unknown, f"judged file names not in the collection (typo?): {unknown}"


def test_recall_and_mrr_reach_the_floors(metrics: harness.Metrics) -> None:
    misses = {r.judgement.query: r.misses for r in metrics.results if r.misses}
    kinds = {k: (round(f.recall, 3), round(f.mrr, 3)) for k, f in metrics.by_kind.items()}
    summary = (
        f"recall@10 {metrics.recall:.3f} (floor {RECALL_AT_10_FLOOR}), "
        f"MRR {metrics.mrr:.3f} (floor {MRR_FLOOR}); "
        f"per kind (recall@10, MRR): {kinds}; "
        f"misses: {misses}"
    )
    assert metrics.recall >= RECALL_AT_10_FLOOR, summary
    assert metrics.mrr >= MRR_FLOOR, summary


def test_metrics_arithmetic() -> None:
    """recall@10 and reciprocal rank on a made-up result, without any index."""
    judgement = harness.Judgement("q", ("a.pdf", "b.pdf", "c.pdf"), "word", 2)
    top = [("x.pdf",), ("b.pdf",), ("y.pdf", "a.pdf")] + [("z.pdf",)] * 7
    result = harness.QueryResult(judgement, top, total=30, further={"c.pdf": 12})
    assert result.ranks == {"a.pdf": 3, "b.pdf": 2, "c.pdf": 12}
    assert result.misses == ("c.pdf",)
    assert result.recall == pytest.approx(2 / 3)
    assert result.reciprocal_rank == pytest.approx(1 / 2)
    nothing = harness.QueryResult(judgement, [], total=0)
    assert nothing.first_rank is None and nothing.recall == 0 and nothing.reciprocal_rank == 0


def test_hits_without_files_are_named_by_title() -> None:
    """Events and Q&A entries (no files) are judged as "@" + title; items by their files."""
    from kb.services.search import HitView

    item = HitView(1, "Leitfaden", "leitfaden", "Leitfaden", 1.0, [], [{"name": "a.pdf"}])
    event = HitView(2, "13. IKOE-Ideenwerkstatt", "veranstaltung", "", 1.0, [], [],
                    object_type="event")  # fmt: skip
    qa = HitView(3, "Wie verbindlich ist der Kostenplan?", "frage", "", 1.0, [], [],
                 object_type="qa")  # fmt: skip
    no_file = HitView(4, "Ohne Datei", "sonstiges", "", 1.0, [], [])
    assert harness.hit_names(item) == ("a.pdf",)
    assert harness.hit_names(event) == ("@13. IKOE-Ideenwerkstatt",)
    assert harness.hit_names(qa) == ("@Wie verbindlich ist der Kostenplan?",)
    assert harness.hit_names(no_file) == ()
    judgement = harness.Judgement("q", ("@Wie verbindlich ist der Kostenplan?",), "word", 2)
    result = harness.QueryResult(judgement, [harness.hit_names(item), harness.hit_names(qa)], 2)
    assert result.first_rank == 2 and result.recall == 1
