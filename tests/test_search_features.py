"""Facets, filters, sorting and the query language, through the service and the page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from conftest import open_app

from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search


@pytest.fixture(scope="module")
def search_app(tmp_path_factory, template_db):
    """One app with five items, shared by the read-only tests of this module."""
    app = open_app(tmp_path_factory.mktemp("search"), template_db)
    kb = app.extensions["kb"]

    def add(text: str, title: str, **meta: object) -> None:
        upload = UploadFile(f"{title}.txt", io.BytesIO(text.encode()))
        upload_files(kb, [upload], ItemMeta(title=title, **meta), ANONYMOUS)  # type: ignore[arg-type]

    add(
        "Kostenplan\fKostenplan\fKostenplan",  # three pages that all match
        "Leitfaden Kostenplan",
        kind="leitfaden",
        topics=["Förderverfahren"],
        districts=["15002"],
        programme="AMIF",
        date=dt.date(2024, 5, 1),
    )
    add(
        "Kostenplan für Integrationskurse",
        "Kurs",
        kind="praesentation",
        topics=["Sprache"],
        districts=["15085"],
        date=dt.date(2025, 3, 1),
    )
    add(
        "Kostenplan im Landkreis",
        "Harz",
        kind="praesentation",
        topics=["Förderverfahren", "Sprache"],
        districts=["15085", "15002"],
        date=dt.date(2023, 1, 1),
    )
    add("Asyl-, Migrations- und Integrationsfonds erklärt", "Fonds")
    add("Verwendungsnachweis ohne Kosten", "Nachweis")
    jobs.run_until_idle(kb)
    yield app
    kb.close()


@pytest.fixture
def skb(search_app):
    return search_app.extensions["kb"]


@pytest.fixture
def sclient(search_app):
    return search_app.test_client()


def _titles(page) -> list[str]:
    return [h.title for h in page.hits]


def _facet(page, name) -> dict[str, int]:
    for facet in page.facets:
        if facet.name == name:
            return {v.value: v.count for v in facet.values}
    return {}


def test_facets_count_items_not_pages(skb):
    page = run_search(skb, "Kostenplan", ANONYMOUS)
    assert page.total == 3
    assert _facet(page, "kind") == {"praesentation": 2, "leitfaden": 1}
    assert _facet(page, "district") == {"15085": 2, "15002": 2}
    assert _facet(page, "year") == {"2024": 1, "2025": 1, "2023": 1}
    assert _facet(page, "programme") == {"AMIF": 1}
    assert _facet(page, "filetype") == {"txt": 3}
    labels = {v.value: v.label for f in page.facets if f.name == "district" for v in f.values}
    assert labels == {"15085": "Harz", "15002": "Halle (Saale)"}


def test_filters_combine_within_and_across_facets(skb):
    assert sorted(
        _titles(run_search(skb, "Kostenplan", ANONYMOUS, filters={"kind": ["praesentation"]}))
    ) == ["Harz", "Kurs"]
    both = run_search(
        skb, "Kostenplan", ANONYMOUS, filters={"kind": ["praesentation"], "district": ["15002"]}
    )
    assert _titles(both) == ["Harz"]
    either = run_search(skb, "Kostenplan", ANONYMOUS, filters={"year": ["2023", "2024"]})
    assert sorted(_titles(either)) == ["Harz", "Leitfaden Kostenplan"]
    assert _facet(both, "kind") == {"praesentation": 1}


def test_filters_alone_browse(skb):
    page = run_search(skb, "", ANONYMOUS, filters={"topic": ["sprache"]})
    assert sorted(_titles(page)) == ["Harz", "Kurs"]


def test_sort_by_date_newest_first(skb):
    page = run_search(skb, "Kostenplan", ANONYMOUS, sort="date")
    assert _titles(page) == ["Kurs", "Leitfaden Kostenplan", "Harz"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kostenplan UND Landkreis", ["Harz"]),
        ("Kostenplan AND Landkreis", ["Harz"]),
        ("Landkreis ODER Verwendungsnachweis", ["Harz", "Nachweis"]),
        ("Kostenplan NICHT Landkreis", ["Kurs", "Leitfaden Kostenplan"]),
        ("Kostenplan -Landkreis", ["Kurs", "Leitfaden Kostenplan"]),
        ('"Kostenplan im Landkreis"', ["Harz"]),
        ('"Landkreis im Kostenplan"', []),
        ("Verwendungs*", ["Nachweis"]),
        ("Integrationsk*", ["Kurs"]),
        ("AMIF", ["Fonds", "Leitfaden Kostenplan"]),  # long form, and the programme field
        ("amif", ["Fonds", "Leitfaden Kostenplan"]),
    ],
)
def test_query_language(skb, query, expected):
    assert sorted(_titles(run_search(skb, query, ANONYMOUS))) == expected


def test_short_prefix_is_searched_as_the_word(skb):
    assert run_search(skb, "Kos*", ANONYMOUS).total == 0  # not expanded below 4 letters


def test_prefix_expansion_is_bounded(kb, make_item):
    from kb.search import querylang

    text = " ".join(f"Antragsnummer{n:03d}" for n in range(120))
    make_item(text, title="Viele")
    with kb.index.searching() as searcher:
        parser = querylang.make_parser(["content"], searcher.schema)
        query = querylang.bound_prefixes(
            querylang.parse("antragsnummer*", parser), searcher.reader()
        )
        assert len(query.expansions) == querylang.MAX_EXPANSIONS
    assert run_search(kb, "Antragsnummer*", ANONYMOUS).total == 1


BAD_QUERIES = [
    "",
    "x" * 5000,
    '"unbalanced',
    "((Kostenplan",
    "Kostenplan)",
    "AND",
    "NICHT",
    "ODER UND",
    "-",
    "*",
    "der die das und",
    "🙂 Kostenplan 🙂",
    "Kosten\x00plan\x1b",
    "'; DROP TABLE items; --",
    "<script>alert(1)</script>",
    "title:geheim",
    "allow:editor Kostenplan",
    "[a TO z]",
    "Kostenplan^1000",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_give_a_sensible_page(sclient, query):
    response = sclient.get("/search", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "Ein interner Fehler" not in body


def test_field_syntax_cannot_widen_access(kb, make_item):
    make_item("Entwurfsgeheimnis", title="Draft", state="draft")
    for query in (
        "allow:editor",
        "allow:editor Entwurfsgeheimnis",
        "Entwurfsgeheimnis OR allow:editor",
    ):
        assert run_search(kb, query, ANONYMOUS).total == 0, query


def test_page_keeps_state_in_links(sclient):
    body = sclient.get("/search?q=Kostenplan&kind=praesentation&sort=date").get_data(as_text=True)
    assert "2 Treffer" in body
    chip = re.search(r'<ul class="chips".*?</ul>', body, re.S).group(0)
    assert "Art: Präsentation" in chip
    assert "sort=date" in chip and "kind=" not in chip  # removing the filter keeps the sort
    assert 'name="kind" value="praesentation" checked' in body
    relevance = re.search(r'href="([^"]+)">Relevanz</a>', body).group(1)
    assert "kind=praesentation" in relevance.replace("&amp;", "&") and "sort" not in relevance
