"""Prefix queries: one matcher per prefix over all its fields, a constant score per expansion
(kb/search/prefix.py), matching exactly what the union of its expansions matched."""

from __future__ import annotations

from whoosh.query import DefaultOr, Term

from kb.search import querylang
from kb.search.prefix import ExpandedPrefix
from kb.search.query import SEARCH_FIELDS
from kb.services.access import ANONYMOUS
from kb.services.search import run_search


def _parsed(searcher, text: str):  # type: ignore[no-untyped-def]
    parser = querylang.make_parser(SEARCH_FIELDS, searcher.schema)
    return querylang.bound_prefixes(querylang.parse(text, parser), searcher.reader())


def test_a_prefix_over_all_fields_is_one_query_with_the_same_documents(kb, make_item, set_item):
    make_item("Die Förderung beginnt im Mai.", title="Eins")
    make_item("Kein passendes Wort hier.", title="Förderantrag ausfüllen")
    make_item("Nichts davon.", title="Drei", summary="Fördermittel für Kommunen")
    make_item("Ganz anderes Thema.", title="Vier")
    changed = make_item("Förderrichtlinie alt", title="Fünf")
    set_item(changed, title="Fünf, neu")  # re-indexed: its old documents are deleted
    with kb.index.searching() as searcher:
        query = _parsed(searcher, "Förder*")
        assert isinstance(query, ExpandedPrefix)
        assert {field for field, _ in query.expansions} == {"title", "alltext", "summary"}
        union = DefaultOr([Term(field, text) for field, text in query.expansions])
        new, old = set(searcher.docs_for_query(query)), set(searcher.docs_for_query(union))
        assert new == old and len(new) >= 4


def test_a_title_match_ranks_above_a_text_match(kb, make_item):
    text_hit = make_item("Hier steht Integrationskurs im Text.", title="Allgemeines")
    title_hit = make_item("Etwas ganz anderes.", title="Integrationskurse im Landkreis")
    page = run_search(kb, "Integrationsk*", ANONYMOUS)
    assert [h.item_id for h in page.hits] == [title_hit, text_hit]
    assert page.hits[1].pages and "<mark>" in page.hits[1].pages[0].snippet  # snippet marks it


def test_prefixes_combine_with_words_and_not(kb, make_item):
    both = make_item("Förderantrag und Frist", title="Beides")
    make_item("Förderantrag ohne Termin", title="Nur Antrag")
    make_item("Frist ohne Antrag", title="Nur Frist")
    assert [h.item_id for h in run_search(kb, "Förder* Frist", ANONYMOUS).hits] == [both]
    rest = run_search(kb, "Förder* NICHT Frist", ANONYMOUS).hits
    assert [h.title for h in rest] == ["Nur Antrag"]
    assert run_search(kb, "Frist -Förder*", ANONYMOUS).hits[0].title == "Nur Frist"


def test_deleted_documents_are_not_matched(tmp_path):
    """A segment with deletions (Whoosh filters its postings) and several segments."""
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    ix = whoosh_index.create_in(str(tmp_path), Schema(key=ID(stored=True), body=TEXT))
    batches = [
        # "zwei" (deleted below) stands between two documents holding the same term
        {"eins": "förderung", "zwei": "förderung", "drei": "förderung", "x": "anderes"},
        {"vier": "förderantrag"},
    ]
    for batch in batches:
        writer = ix.writer()
        for key, text in batch.items():
            writer.add_document(key=key, body=text)
        writer.commit(merge=False)  # keep the segments apart
    writer = ix.writer()
    writer.delete_by_term("key", "zwei")
    writer.commit(merge=False)
    query = ExpandedPrefix([("body", "förderung"), ("body", "förderantrag")])
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2
        keys = {searcher.stored_fields(d)["key"] for d in searcher.docs_for_query(query)}
        assert keys == {"eins", "drei", "vier"}
        hits = searcher.search(query)
        assert [h.score for h in hits][0] > 0
