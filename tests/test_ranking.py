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
