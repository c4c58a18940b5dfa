"""Search never shows what the viewer may not see, and folds German spellings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from kb.models import Item
from kb.services.access import ANONYMOUS, Viewer
from kb.services.search import run_search


def test_umlaut_spellings_meet(kb, make_item):
    make_item("Wichtige Änderungen beim Verwendungsnachweis ab nächstem Jahr.")
    for query in ("Aenderungen", "Änderung", "AENDERUNG", "aenderung", "Verwendungsnachweises"):
        assert run_search(kb, query, ANONYMOUS).total == 1, query


def test_eszett_and_ligatures(kb, make_item):
    make_item("Die Straße zur ﬁnanziellen Förderung.")
    assert run_search(kb, "Strasse", ANONYMOUS).total == 1
    assert run_search(kb, "finanziellen", ANONYMOUS).total == 1
    assert run_search(kb, "Foerderung", ANONYMOUS).total == 1


def test_all_words_must_match(kb, make_item):
    make_item("Kostenplan und Belegliste", title="A")
    make_item("Kostenplan allein", title="B")
    assert run_search(kb, "Kostenplan", ANONYMOUS).total == 2
    assert run_search(kb, "Kostenplan Belegliste", ANONYMOUS).total == 1


def test_drafts_and_internal_items_are_invisible_to_anonymous(kb, make_item):
    make_item("Geheimwort öffentlich", title="Public")
    make_item("Geheimwort Entwurf", title="Draft", state="draft")
    make_item("Geheimwort intern", title="Internal", access="internal")
    make_item("Geheimwort archiviert", title="Archived", state="archived")
    result = run_search(kb, "Geheimwort", ANONYMOUS)
    assert result.total == 1
    assert [h.title for h in result.hits] == ["Public"]
    member = Viewer(user_id=1)
    assert {h.title for h in run_search(kb, "Geheimwort", member).hits} == {"Public", "Internal"}
    editor = Viewer(user_id=2, roles=("redaktion",))
    assert run_search(kb, "Geheimwort", editor).total == 3


def test_hidden_items_do_not_leak_through_pages(client, make_item):
    hidden = make_item("Entwurfstext", title="Draft", state="draft")
    assert client.get(f"/items/{hidden}").status_code == 404
    assert client.get(f"/items/{hidden}/handout.pdf").status_code == 404
    assert client.get(f"/items/{hidden}/files/1").status_code == 404
    page = client.get("/search?q=Entwurfstext").get_data(as_text=True)
    assert "Keine Treffer" in page and "Draft" not in page
    assert "Draft" not in client.get("/").get_data(as_text=True)


def test_hits_are_rechecked_against_the_database(kb, make_item):
    """The index lags the DB: an item unpublished a moment ago must not be shown."""
    item_id = make_item("Rueckruf des Dokuments", title="Bald Entwurf")
    with kb.db.writing() as session:
        session.execute(update(Item).where(Item.id == item_id).values(state="draft"))
    assert [h.title for h in run_search(kb, "Rueckruf", ANONYMOUS).hits] == []


def test_paging_groups_pages_by_item(kb, make_item):
    for n in range(13):
        make_item(f"Integrationskurs Nummer {n}", title=f"Kurs {n}", wait=False)
    from kb.services import jobs

    jobs.run_until_idle(kb)
    first = run_search(kb, "Integrationskurs", ANONYMOUS, page=1, page_size=10)
    second = run_search(kb, "Integrationskurs", ANONYMOUS, page=2, page_size=10)
    assert first.total == second.total == 13
    assert len(first.hits) == 10 and len(second.hits) == 3
    assert not {h.item_id for h in first.hits} & {h.item_id for h in second.hits}
    assert first.pages == 2


def test_empty_and_odd_queries_do_not_fail(client, make_item):
    make_item("Irgendein Text")
    for q in ["", "   ", '"', "(", "AND", "*", "title:", "ü" * 300, "a:b:c", "[1 TO"]:
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 200, q


def test_snippets_escape_the_documents_markup(client, make_item):
    make_item(
        "Vorher <script>alert('x')</script> die Stichwortsuche ist <b>fett</b> und so weiter",
        title="<i>Titel</i>",
    )
    page = client.get("/search?q=Stichwortsuche").get_data(as_text=True)
    assert "<mark>Stichwortsuche</mark>" in page
    assert "<script>alert" not in page and "<b>fett</b>" not in page
    assert "&lt;b&gt;fett" in page  # the context around the match, escaped
    assert "<i>Titel</i>" not in page and "&lt;i&gt;Titel&lt;/i&gt;" in page


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=80))
def test_any_query_gets_a_page_not_an_error(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_facet_counts_and_totals_never_count_hidden_items(kb, make_item):
    make_item("Gemeinsames Stichwort", title="Öffentlich", kind="praesentation")
    make_item("Gemeinsames Stichwort", title="Entwurf", kind="leitfaden", state="draft")
    make_item("Gemeinsames Stichwort", title="Intern", kind="protokoll", access="internal")
    page = run_search(kb, "Stichwort", ANONYMOUS)
    assert page.total == 1
    kinds = {v.value: v.count for f in page.facets if f.name == "kind" for v in f.values}
    assert kinds == {"praesentation": 1}
    browse = run_search(kb, "", ANONYMOUS, filters={"kind": ["leitfaden"]})
    assert browse.total == 0 and browse.hits == []
