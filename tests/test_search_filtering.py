"""The permission filter as Whoosh collects: any principal strings, time box, cache lifetime.

Stage-level tests on a bare index under ``tmp_path`` (no app): documents are written with
their ``allow`` terms directly, as the indexer writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.query import Every, Term
from whoosh.searching import TimeLimit

from kb.search import filtering
from kb.search.filtering import ITEM_CLAUSE, MaskedCollector, filtered_search, permission_clause
from kb.search.index import SearchIndex


def _item(item_id: int, allow: str, text: str = "Verwendungsnachweis") -> dict[str, object]:
    return {
        "doc_id": f"i{item_id}",
        "doctype": "item",
        "item_id": str(item_id),
        "page": 0,
        "title": f"Eintrag {item_id}",
        "alltext": text,
        "allow": allow,
    }


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    index = SearchIndex(tmp_path / "index")
    index.create()
    docs = {
        1: [_item(1, "anon member editor")],  # public
        2: [_item(2, "member editor")],  # internal
        3: [_item(3, "editor")],  # draft
        4: [_item(4, "user:7 editor")],  # owned by user 7 (a principal accounts will add)
    }
    index.replace_objects(docs, applied_id=1)
    yield index
    index.close()


def _visible(index: SearchIndex, principals: list[str], query=None) -> set[int]:  # type: ignore[no-untyped-def]
    with index.searching() as searcher:
        clauses = [permission_clause(principals), ITEM_CLAUSE]
        results = filtered_search(
            searcher, index.segments, query or Term("alltext", "verwendungsnachweis"), clauses, None
        )
        return {int(hit["item_id"]) for hit in results}


@pytest.mark.parametrize(
    ("principals", "expected"),
    [
        (["anon"], {1}),
        # An OR of principals, never an AND: a member sees public *and* internal items (an
        # OR of zero-score terms inside the query was turned into an AND by Whoosh).
        (["anon", "member"], {1, 2}),
        (["anon", "member", "editor"], {1, 2, 3, 4}),
        (["anon", "user:7"], {1, 4}),
        (["user:8"], set()),
        ([], set()),
    ],
)
def test_any_principal_strings_or_together(index, principals, expected):
    assert _visible(index, principals) == expected


def test_browsing_everything_is_filtered_too(index):
    assert _visible(index, ["anon", "member"], Every()) == {1, 2}


def test_a_time_boxed_search_is_filtered(index, monkeypatch):
    monkeypatch.setattr(filtering, "_CLOCK_EVERY", 1)  # look at the clock after every match
    with index.searching() as searcher:
        clauses = [permission_clause(["anon"]), ITEM_CLAUSE]
        collector = MaskedCollector(searcher.collector(limit=None), index.segments, clauses, 0.0)
        with pytest.raises(TimeLimit):
            searcher.search_with_collector(Every(), collector)
        results = collector.results()
        seen = {int(searcher.stored_fields(d)["item_id"]) for d, _score in results.items()}
        assert len(results) == len(seen)  # counts what passed the filter, not the bare query
    assert seen <= {1}


def test_masks_follow_deletions_and_new_segments(index):
    assert _visible(index, ["anon"]) == {1}  # the masks of the first segment are cached now
    index.replace_objects({1: [], 5: [_item(5, "anon member editor")]}, applied_id=2)
    assert _visible(index, ["anon"]) == {5}
    index.replace_objects({2: [_item(2, "anon member editor")]}, applied_id=3)  # published
    assert _visible(index, ["anon"]) == {2, 5}
