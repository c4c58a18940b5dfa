"""The network's structure in search: events and Q&A entries as hits of their own, the
series, speaker and validity facets, and superseded guidance ranked below current."""

from __future__ import annotations

import datetime as dt

import pytest

from kb.models import Event, EventSeries, QAEntry
from kb.services import jobs
from kb.services.access import ANONYMOUS, Viewer
from kb.services.check import run_check
from kb.services.indexing import append_index_log, reindex_guidance
from kb.services.search import run_search

LESER = Viewer(user_id=999, roles=("leser",))


@pytest.fixture
def add_event(kb):
    def _add(title: str, access: str = "public", **values: object) -> int:
        with kb.db.writing() as session:
            series = session.query(EventSeries).filter_by(slug="reihe").one_or_none()
            series = series or EventSeries(slug="reihe", title="Ideenwerkstatt-Reihe")
            event = Event(
                slug=title.lower().replace(" ", "-"),
                title=title,
                series=series,
                access=access,
                starts_on=dt.date(2025, 5, 14),
                **values,
            )
            session.add(event)
            session.flush()
            append_index_log(session, event.id, "event")
            event_id = event.id
        jobs.run_until_idle(kb)
        return event_id

    return _add


@pytest.fixture
def add_qa(kb):
    def _add(question: str, answer: str, access: str = "public") -> int:
        with kb.db.writing() as session:
            qa = QAEntry(question=question, answer=answer, access=access)
            session.add(qa)
            session.flush()
            append_index_log(session, qa.id, "qa")
            qa_id = qa.id
        jobs.run_until_idle(kb)
        return qa_id

    return _add


def test_an_event_is_found_by_its_title_and_place(kb, add_event):
    event_id = add_event("Ideenwerkstatt Halle", city="Halle (Saale)", venue="Stadthaus")
    result = run_search(kb, "Stadthaus", ANONYMOUS)
    assert [(h.object_type, h.item_id) for h in result.hits] == [("event", event_id)]
    hit = result.hits[0]
    assert hit.path == "/events/ideenwerkstatt-halle" and hit.kind_label == "Veranstaltung"
    kinds = {v.value: v.label for f in result.facets if f.name == "kind" for v in f.values}
    assert kinds == {"veranstaltung": "Veranstaltung"}


def test_an_internal_event_is_found_only_by_members(kb, add_event):
    add_event("Geschlossene Klausur", access="internal", venue="Klausurhaus")
    assert run_search(kb, "Klausurhaus", ANONYMOUS).total == 0
    assert run_search(kb, "Klausurhaus", LESER).total == 1


def test_a_qa_entry_is_found_with_a_snippet_and_no_page_label(kb, add_qa):
    qa_id = add_qa("Was ändert sich beim Verwendungsnachweis?", "Ab 2027 reicht ein Sachbericht.")
    result = run_search(kb, "Sachbericht", ANONYMOUS)
    assert [(h.object_type, h.item_id) for h in result.hits] == [("qa", qa_id)]
    hit = result.hits[0]
    assert hit.path == f"/qa/{qa_id}" and hit.kind_label == "Frage und Antwort"
    assert hit.pages and hit.pages[0].label == "" and "<mark>" in hit.pages[0].snippet


def test_an_internal_qa_entry_stays_internal(kb, add_qa):
    add_qa("Interne Frage zum Zuwendungsbescheid?", "Vertrauliche Antwort.", access="internal")
    assert run_search(kb, "Zuwendungsbescheid", ANONYMOUS).total == 0
    assert run_search(kb, "Zuwendungsbescheid", LESER).total == 1


def test_items_carry_the_series_of_their_event(kb, add_event, make_item):
    add_event("Werkstatt Magdeburg")
    make_item("Kooperation mit Arbeitgebern", title="Impuls", event_slug="werkstatt-magdeburg")
    result = run_search(kb, "Arbeitgebern", ANONYMOUS, filters={"series": ["reihe"]})
    assert result.total == 1
    series = {v.value: v.label for f in result.facets if f.name == "series" for v in f.values}
    assert series == {"reihe": "Ideenwerkstatt-Reihe"}
    # the series' title is searchable text of the item
    assert run_search(kb, "Ideenwerkstatt-Reihe", ANONYMOUS).total >= 1


def test_speaker_facet_comes_from_linked_persons(kb, make_item):
    make_item("Vortrag über Patenschaften", speakers="Erika Beispiel; Max Muster")
    result = run_search(kb, "Patenschaften", ANONYMOUS)
    speakers = {v.value for f in result.facets if f.name == "speaker" for v in f.values}
    assert speakers == {"Erika Beispiel", "Max Muster"}


def _guidance(kb, make_item, set_item, title, extra="", **values):
    text = f"Merkblatt Verwendungsnachweis Belegliste ({title}) {extra}"  # distinct: no twin
    item_id = make_item(text, title=title, kind="leitfaden")
    set_item(item_id, **values)
    return item_id


def test_superseded_guidance_ranks_below_its_successor(kb, make_item, set_item):
    # The old edition says the word more often: only its status puts it second.
    extra = "Verwendungsnachweis " * 3
    old = _guidance(
        kb, make_item, set_item, "Merkblatt 2025", extra, valid_from=dt.date(2025, 1, 1)
    )
    new = _guidance(
        kb,
        make_item,
        set_item,
        "Merkblatt 2026",
        valid_from=dt.date(2026, 1, 1),
        supersedes_id=old,
    )
    set_item(old)  # its successor changed its status: re-index it, as the service does
    result = run_search(kb, "Verwendungsnachweis", ANONYMOUS)
    assert [h.item_id for h in result.hits] == [new, old]
    assert [h.validity for h in result.hits] == ["current", "superseded"]
    validity = {v.value: v.count for f in result.facets if f.name == "validity" for v in f.values}
    assert validity == {"current": 1, "superseded": 1}
    only_current = run_search(
        kb, "Verwendungsnachweis", ANONYMOUS, filters={"validity": ["current"]}
    )
    assert [h.item_id for h in only_current.hits] == [new]


def _hit_blocks(page: str) -> dict[str, str]:
    """Each result's HTML on the search page, by the item path it links to."""
    blocks = page.split('<li class="hit">')[1:]
    return {block.split('href="', 1)[1].split('"', 1)[0]: block for block in blocks}


def test_the_search_page_marks_superseded_guidance_ersetzt(client, kb, make_item, set_item):
    old = _guidance(kb, make_item, set_item, "Merkblatt 2025", valid_from=dt.date(2025, 1, 1))
    new = _guidance(
        kb, make_item, set_item, "Merkblatt 2026", valid_from=dt.date(2026, 1, 1), supersedes_id=old
    )
    set_item(old)
    hits = _hit_blocks(client.get("/search?q=Verwendungsnachweis").get_data(as_text=True))
    assert '<span class="validity validity-superseded">ersetzt</span>' in hits[f"/items/{old}"]
    assert '<span class="validity validity-current">gültig</span>' in hits[f"/items/{new}"]
    assert "ersetzt" not in hits[f"/items/{new}"]
    # Still findable on its own, and marked in English too.
    only = client.get("/search?q=Verwendungsnachweis&validity=superseded&lang=en")
    hits = _hit_blocks(only.get_data(as_text=True))
    assert list(hits) == [f"/items/{old}"]
    assert '<span class="validity validity-superseded">superseded</span>' in hits[f"/items/{old}"]


def test_validity_moves_with_the_date_after_the_daily_refresh(kb, app, make_item, set_item):
    app.config["KB_TODAY"] = kb.config["KB_TODAY"] = "2026-11-25"
    old = _guidance(kb, make_item, set_item, "Merkblatt alt", valid_from=dt.date(2025, 1, 1))
    new = _guidance(
        kb, make_item, set_item, "Merkblatt neu", valid_from=dt.date(2027, 1, 1), supersedes_id=old
    )
    set_item(old)
    statuses = {h.item_id: h.validity for h in run_search(kb, "Belegliste", ANONYMOUS).hits}
    assert statuses == {old: "current", new: "upcoming"}
    kb.config["KB_TODAY"] = "2027-01-02"
    # Pages compare at once with today's date; the index's facet follows after the refresh.
    assert reindex_guidance(kb) == 2
    jobs.run_until_idle(kb)
    result = run_search(kb, "Belegliste", ANONYMOUS, filters={"validity": ["superseded"]})
    assert [h.item_id for h in result.hits] == [old]


def test_check_reports_an_event_missing_from_the_index(kb):
    with kb.db.writing() as session:
        session.add(Event(slug="ohne-index", title="Ohne Index"))
    report = run_check(kb)
    assert any("Veranstaltung" in p and "fehlt im Suchindex" in p for p in report.problems)


def test_related_items_never_name_an_event(kb, add_event, make_item):
    from kb.search.suggest import related_items

    add_event("Integrationskurse Werkstatt", description="Integrationskurse Sprachförderung")
    first = make_item("Integrationskurse und Sprachförderung im Landkreis", title="A")
    make_item("Integrationskurse Sprachförderung Kita", title="B")
    related = related_items(kb.index, first, ANONYMOUS.principals())
    assert related and all(isinstance(i, int) for i in related)


def test_a_talk_ranks_above_the_event_that_names_its_topic(kb, add_event, make_item):
    """An event's short description names its topics in passing; the material comes first."""
    add_event(
        "Werkstatt Zeitz",
        description="Arbeitstreffen des Netzwerks: ein Impuls zur Streuobstwiese als Lernort, "
        "Berichte aus den Landkreisen und eine Fragerunde mit den Fördermittelgebern.",
    )
    talk = make_item(
        "Die Streuobstwiese als Lernort für neue Beschäftigte. Wer pflegt die Bäume, wer erntet, "
        "wer verarbeitet das Obst? Betriebe, Vereine und Kommunen teilen sich die Arbeit. "
        "Zugewanderte lernen Sprache und Handwerk zugleich, angeleitet von Ehrenamtlichen. "
        "Erfahrungen aus zwei Landkreisen zeigen, was das Projekt für die "
        "Arbeitsmarktintegration leisten kann und wo seine Grenzen liegen. " * 3,
        title="Lernort Obstwiese",
    )
    result = run_search(kb, "Streuobstwiese", ANONYMOUS)
    assert [(h.object_type, h.item_id) for h in result.hits][0] == ("item", talk)
    assert [h.object_type for h in result.hits] == ["item", "event"]
