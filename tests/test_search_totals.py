"""Totals: exact up to the limit, "mehr als" beyond it, "mindestens" when the time box hit.

The limit (1,000 items) and the time box (5 s) are made small here, so a handful of items
reaches both edges through the real search, page and API.
"""

from __future__ import annotations

import pytest

from kb.search import filtering
from kb.search import query as search_query
from kb.services.search import SearchPage

WORD = "Zählwort"


@pytest.fixture
def three_items(make_item):
    return [make_item(f"{WORD} Nummer {n}", title=f"Eintrag {n}") for n in range(3)]


def _total_line(client, q: str = WORD) -> str:
    body = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    start = body.index('<p class="total"')
    return " ".join(body[start : body.index("</p>", start)].split())


def _api(client, q: str = WORD) -> tuple[int, bool]:
    data = client.get("/api/v1/search", query_string={"q": q}).get_json()
    return data["total"], data["truncated"]


def test_exactly_the_limit_is_an_exact_total(client, three_items, monkeypatch):
    monkeypatch.setattr(search_query, "MAX_DOCS", 3)
    line = _total_line(client)
    assert "3 Treffer" in line and "Mehr als" not in line
    assert _api(client) == (3, False)


def test_one_more_than_the_limit_is_more_than(client, make_item, three_items, monkeypatch):
    make_item(f"{WORD} Nummer 4", title="Eintrag 4")
    monkeypatch.setattr(search_query, "MAX_DOCS", 3)
    assert "Mehr als 3 Treffer" in _total_line(client)
    assert _api(client) == (3, True)
    data = client.get("/api/v1/search", query_string={"q": WORD, "sort": "date"}).get_json()
    assert (data["total"], data["truncated"]) == (3, True)


def test_a_search_cut_off_by_its_time_box_says_so(client, three_items, monkeypatch):
    monkeypatch.setattr(search_query, "TIME_LIMIT_SECONDS", -1.0)  # already over
    monkeypatch.setattr(filtering, "_CLOCK_EVERY", 1)  # look at the clock after each match
    line = _total_line(client)
    assert "Mindestens 1 Treffer" in line and "abgebrochen" in line
    assert _api(client) == (1, True)


def test_without_the_cut_off_the_same_search_is_exact(client, three_items):
    line = _total_line(client)
    assert "3 Treffer" in line and "abgebrochen" not in line and "Mindestens" not in line


@pytest.mark.parametrize(
    ("over_limit", "expected", "absent"),
    [(False, "1.000 Treffer", "Mehr als"), (True, "Mehr als 1.000 Treffer", "Mindestens")],
)
def test_the_thousand_is_written_the_german_way(client, monkeypatch, over_limit, expected, absent):
    """The page's wording at the real limit (1,000 items are too many to index in a test)."""
    page = SearchPage(WORD, 1000, over_limit, 1, 10, [], over_limit=over_limit)
    monkeypatch.setattr("kb.web.pages.run_search", lambda *args, **kwargs: page)
    line = _total_line(client)
    assert expected in line and absent not in line
