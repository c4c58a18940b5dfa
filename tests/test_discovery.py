"""Derived surfaces never reveal what the viewer may not see: suggestions, completions,
related items; and saved searches belong to the browser that saved them."""

from __future__ import annotations

import json
import re

from kb.search import filtering, suggest
from kb.services import discovery
from kb.services.access import ANONYMOUS, Viewer

EDITOR = Viewer(user_id=9, roles=("redaktion",))


def test_spelling_suggestion_for_a_typo(kb, make_item):
    make_item("Der Verwendungsnachweis ist bis Juni fällig.", title="Nachweis")
    assert (
        discovery.spelling_suggestion(kb, "Verwendungsnachwies", ANONYMOUS) == "verwendungsnachweis"
    )
    assert discovery.spelling_suggestion(kb, "Verwendungsnachweis", ANONYMOUS) is None


def test_no_suggestion_that_only_a_draft_would_satisfy(kb, make_item):
    make_item("Geheimprojektplanung im Entwurf", title="Entwurf", state="draft")
    assert discovery.spelling_suggestion(kb, "Geheimprojektplanumg", ANONYMOUS) is None
    assert (
        discovery.spelling_suggestion(kb, "Geheimprojektplanumg", EDITOR) == "geheimprojektplanung"
    )


def test_completions_are_words_and_permission_filtered(kb, make_item):
    make_item("Förderanträge und Förderantrag im Überblick", title="Öffentlich")
    make_item("Förderantragsgeheimnis", title="Intern", access="internal")
    public = discovery.completions(kb, "Kosten Förderan", ANONYMOUS)
    assert "Kosten förderanträge" in public and "Kosten förderantrag" in public
    assert not any("geheimnis" in c for c in public)
    member = discovery.completions(kb, "förderan", Viewer(user_id=1))
    assert "förderantragsgeheimnis" in member
    assert discovery.completions(kb, "fö", ANONYMOUS) == []


def test_completion_endpoint(client, make_item):
    make_item("Integrationskurse im Landkreis", title="Kurse")
    data = client.get("/search/complete?q=integrationsk").get_json()
    assert data == {"completions": ["integrationskurse"]}


def test_whole_titles_and_topics_are_completed(client, kb, make_item):
    make_item("Kosten", title="Leitfaden Kostenplan 2025", topics=["Arbeitsmarktintegration"])
    make_item("Arbeitsmarkt und Arbeitsmarktintegration im Landkreis", title="Landkreis")
    by_title = discovery.completions(kb, "Leitfaden Kost", ANONYMOUS)
    assert by_title[0] == "Leitfaden Kostenplan 2025"
    assert "Leitfaden Kostenplan 2025" in discovery.completions(kb, "kostenpl", ANONYMOUS)
    by_topic = discovery.completions(kb, "arbeitsm", ANONYMOUS)
    assert by_topic[0] == "Arbeitsmarktintegration"  # the topic, before the frequent words
    assert "arbeitsmarkt" in by_topic
    assert len(by_topic) == len({c.casefold() for c in by_topic})  # no word twice
    data = client.get("/search/complete?q=Leitfaden Kostenp").get_json()
    assert data["completions"][0] == "Leitfaden Kostenplan 2025"


def test_a_drafts_title_and_topic_are_never_completed(client, kb, make_item):
    topic = "Interkulturelle Öffnung"  # from the vocabulary; only the draft has it
    make_item("Text", title="Zukunftswerkstatt Sonderweg", state="draft", topics=[topic])
    for text in ("Zukunftswerk", "Zukunftswerkstatt Sonder", "sonderw", "Interkult", "Öffn"):
        assert discovery.completions(kb, text, ANONYMOUS) == [], text
        body = client.get("/search/complete", query_string={"q": text}).get_data(as_text=True)
        assert "Sonderweg" not in body and "Interkulturelle" not in body, text
    assert discovery.completions(kb, "Zukunftswerk", EDITOR)[0] == "Zukunftswerkstatt Sonderweg"
    assert discovery.completions(kb, "Interkult", EDITOR)[0] == topic
    assert discovery.completions(kb, "öffn", EDITOR)[0] == topic


def test_a_title_is_rechecked_against_the_database(kb, make_item):
    """The index lags the database: a title withdrawn a moment ago is no longer offered."""
    from kb.models import Item

    item_id = make_item("Text", title="Zwischenbericht Quartal")
    assert discovery.completions(kb, "Zwischenbericht Quar", ANONYMOUS) == [
        "Zwischenbericht Quartal"
    ]
    with kb.db.writing() as session:  # no index-log entry: the index still says published
        session.get(Item, item_id).state = "draft"
    # (The last word is still completed from the index's words until the indexer catches up.)
    assert "Zwischenbericht Quartal" not in discovery.completions(
        kb, "Zwischenbericht Quar", ANONYMOUS
    )


def test_related_items_respect_access(client, kb, make_item):
    text = "Arbeitgeber Kooperation Fachkräfte Betriebe Jobcenter Anerkennung Berufsabschlüsse"
    first = make_item(text + " Auftakt", title="Erstes")
    second = make_item(text + " Fortsetzung", title="Zweites")
    make_item(text + " Entwurf", title="Verborgen", state="draft")
    make_item("Etwas ganz anderes über Kitas", title="Anderes")
    related = discovery.related(kb, first, ANONYMOUS)
    assert [r["id"] for r in related] == [second]
    page = client.get(f"/items/{first}").get_data(as_text=True)
    assert "Ähnliche Materialien" in page and "Zweites" in page and "Verborgen" not in page


def test_related_items_leave_out_words_most_items_contain(kb, make_item, monkeypatch):
    first = make_item("Gemeinsam Patenschaft Ehrenamt", title="Erstes")
    second = make_item("Gemeinsam Patenschaft Stadtteil", title="Zweites")
    others = [make_item(f"Gemeinsam {word}", title=word) for word in ("Sportverein", "Kita")]
    every = {r["id"] for r in discovery.related(kb, first, ANONYMOUS)}
    assert every == {second, *others}  # all share "gemeinsam"
    # "gemeinsam" is in all four items: above the cap it says nothing about the item.
    monkeypatch.setattr(suggest, "RELATED_MIN_DF_CAP", 2)
    monkeypatch.setattr(suggest, "RELATED_MAX_DF_SHARE", 0.0)
    assert [r["id"] for r in discovery.related(kb, first, ANONYMOUS)] == [second]


def test_related_items_stop_at_their_time_budget(client, kb, make_item, monkeypatch):
    first = make_item("Gemeinsam Patenschaft Ehrenamt", title="Erstes")
    for word in ("Sportverein", "Kita", "Stadtteil"):
        make_item(f"Gemeinsam Patenschaft {word}", title=word)
    assert len(discovery.related(kb, first, ANONYMOUS)) == 3
    monkeypatch.setattr(suggest, "RELATED_TIME_LIMIT_SECONDS", 0.0)
    monkeypatch.setattr(filtering, "_CLOCK_EVERY", 1)  # look at the clock after every document
    assert len(discovery.related(kb, first, ANONYMOUS)) == 1  # the one found before the stop
    assert client.get(f"/items/{first}").status_code == 200


def test_saved_searches_round_trip_and_stay_private(app, make_item):
    make_item("Kostenplan", title="K")
    alice, bob = app.test_client(), app.test_client()
    response = alice.post(
        "/search/saved",
        data={"name": "Meine Kostensuche", "qs": "q=Kostenplan&kind=sonstiges&evil=1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/search?q=Kostenplan&kind=sonstiges")
    page = alice.get("/search?q=Kostenplan").get_data(as_text=True)
    assert "Meine Kostensuche" in page
    assert "Meine Kostensuche" not in bob.get("/search?q=Kostenplan").get_data(as_text=True)
    saved_id = re.search(r"/search/saved/(\d+)/delete", page).group(1)
    assert bob.post(f"/search/saved/{saved_id}/delete").status_code == 404
    assert alice.post(f"/search/saved/{saved_id}/delete").status_code == 302
    assert "Meine Kostensuche" not in alice.get("/search?q=Kostenplan").get_data(as_text=True)


def test_saving_nothing_is_refused(client):
    response = client.post("/search/saved", data={"name": "x", "qs": "evil=1"})
    assert response.status_code == 400
    assert "nichts, was sich speichern" in response.get_data(as_text=True)
    assert client.post("/search/saved", data={"name": " ", "qs": "q=a"}).status_code == 400


def test_search_page_offers_the_suggestion(client, make_item):
    make_item("Zwischennachweis einreichen", title="Z")
    page = client.get("/search?q=Zwischennachwies").get_data(as_text=True)
    assert "Meinten Sie" in page and "zwischennachweis" in page


def test_cli_search_json_has_facets_and_suggestion(runner, make_item):
    make_item("Belegliste führen", title="Belege", kind="formular")
    payload = json.loads(runner.invoke(args=["search", "Belegliste", "--json"]).output)
    assert payload["facets"]["kind"] == [
        {"value": "formular", "label": "Formular/Vorlage", "count": 1}
    ]
    typo = json.loads(runner.invoke(args=["search", "Beleglitse", "--json"]).output)
    assert typo["total"] == 0 and typo["suggestion"] == "belegliste"
