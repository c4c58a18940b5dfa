"""Ranking: exact forms above stemmed ones, titles above body text."""

from __future__ import annotations

from kb.services.access import ANONYMOUS
from kb.services.search import run_search


def _titles(kb, query: str) -> list[str]:
    return [h.title for h in run_search(kb, query, ANONYMOUS).hits]


def test_exact_form_ranks_above_stemmed_form(kb, make_item):
    make_item("Hinweise zum Förderantrag und weitere Angaben", title="Stammform")
    make_item("Hinweise zu Förderanträgen und weitere Angaben", title="Exakt")
    assert _titles(kb, "Förderanträgen") == ["Exakt", "Stammform"]
    assert _titles(kb, "Förderantrag") == ["Stammform", "Exakt"]


def test_umlaut_spelling_as_typed_ranks_with_the_exact_form(kb, make_item):
    make_item("Die Änderungen im Überblick", title="Umlaut")
    make_item("Die Änderung im Überblick", title="Einzahl")
    assert _titles(kb, "Aenderungen") == ["Umlaut", "Einzahl"]


def test_title_match_ranks_above_body_match(kb, make_item):
    make_item("Ein langer Text, der nebenbei den Zwischennachweis erwähnt.", title="Allgemeines")
    make_item("Fristen und Belege.", title="Zwischennachweis")
    assert _titles(kb, "Zwischennachweis") == ["Zwischennachweis", "Allgemeines"]


def test_compound_parts_find_the_compound_and_rank_below_the_word(kb, make_item):
    make_item("Wege in die Arbeitsmarktintegration", title="Kompositum")
    make_item("Integration vor Ort", title="Wort")
    make_item("Das Antragsformular und der Förderantrag", title="Anträge")
    assert _titles(kb, "Integration") == ["Wort", "Kompositum"]
    assert _titles(kb, "Antrag") == ["Anträge"]
    page = run_search(kb, "Antrag", ANONYMOUS).hits[0].pages[0]
    assert page.label == "Seite 1" and "<mark>" in page.snippet


def test_words_on_different_pages_find_the_document(kb, make_item):
    make_item("Kostenplan erstellen\fBelegliste führen", title="Zwei Seiten")
    result = run_search(kb, "Kostenplan Belegliste", ANONYMOUS)
    assert [h.title for h in result.hits] == ["Zwei Seiten"]
    assert {p.number for p in result.hits[0].pages} == {1, 2}
    assert run_search(kb, "Kostenplan NICHT Belegliste", ANONYMOUS).total == 0
