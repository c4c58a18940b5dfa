"""Persons and organisations: edit, delete (refused while linked), merge (links move once)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import login
from sqlalchemy import func, select

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import (
    AgendaEntry,
    AuditEvent,
    Event,
    IndexLog,
    Item,
    Organisation,
    Person,
    QAEntry,
    agenda_speakers,
    item_persons,
)
from kb.services import directory, jobs, organisations
from kb.services.access import ANONYMOUS, Viewer
from kb.services.search import run_search

#: Redaktion at the console (no account, so the tests' uploads stay in open mode).
EDITOR = Viewer(roles=("redaktion",), name="red")


def _person_id(kb, name: str) -> int:
    with kb.db.reading() as session:
        return session.scalars(select(Person.id).where(Person.name == name)).one()


def _org(kb, name: str) -> Organisation:
    with kb.db.reading() as session:
        return session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _agenda(kb, title: str, person_ids: list[int], event_id: int | None = None) -> int:
    """An agenda entry (of a new event unless given) with these speakers; returns the event id."""
    with kb.db.writing() as session:
        if event_id is None:
            event = Event(slug=f"ev-{title.lower()}", title=f"Werkstatt {title}")
            session.add(event)
            session.flush()
            event_id = event.id
        entry = AgendaEntry(event_id=event_id, title=title, starts_at="10:00")
        entry.speakers = [session.get(Person, pid) for pid in person_ids]
        session.add(entry)
    return event_id


def _facet(page, name) -> dict[str, int]:
    return {v.value: v.count for f in page.facets if f.name == name for v in f.values}


def test_merging_persons_moves_links_once_and_refreshes_copies_and_search(kb, make_item):
    one = make_item("Arbeitgeber eins", "Impuls eins", speakers="A. Beispiel, Ben Muster")
    two = make_item("Arbeitgeber zwei", "Impuls zwei", speakers="Anna Beispiel")
    both = make_item("Arbeitgeber drei", "Beide", speakers="Anna Beispiel; A. Beispiel")
    keep, drop = _person_id(kb, "Anna Beispiel"), _person_id(kb, "A. Beispiel")
    event_id = _agenda(kb, "Impuls", [drop])
    _agenda(kb, "Podium", [keep, drop], event_id)
    assert _facet(run_search(kb, "Arbeitgeber", ANONYMOUS), "speaker") == {
        "A. Beispiel": 2, "Anna Beispiel": 2, "Ben Muster": 1,
    }  # fmt: skip
    with kb.db.reading() as session:
        before = session.scalar(select(func.max(IndexLog.id)))

    directory.merge_persons(kb, keep, drop, EDITOR)

    with kb.db.reading() as session:
        assert session.get(Person, drop) is None
        rows = session.execute(select(item_persons.c.item_id, item_persons.c.person_id)).all()
        assert len(rows) == len(set(rows))
        assert sorted(i for i, p in rows if p == keep) == sorted([one, two, both])
        speakers = session.execute(select(agenda_speakers.c.entry_id, agenda_speakers.c.person_id))
        assert sorted(p for _, p in speakers) == [keep, keep]  # the podium keeps one link
        copies = {i.id: i.speakers for i in session.scalars(select(Item))}
        assert copies == {
            one: "Anna Beispiel, Ben Muster",
            two: "Anna Beispiel",
            both: "Anna Beispiel",
        }
        logged = session.execute(
            select(IndexLog.object_type, IndexLog.object_id).where(IndexLog.id > before)
        ).all()
        assert {("item", one), ("item", both), ("event", event_id)} <= set(logged)
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "persons_merged"))
        assert "A. Beispiel -> " in audit.one().detail
    jobs.run_until_idle(kb)
    assert _facet(run_search(kb, "Arbeitgeber", ANONYMOUS), "speaker") == {
        "Anna Beispiel": 3, "Ben Muster": 1,
    }  # fmt: skip


def test_merging_a_person_into_itself_or_a_missing_one_is_refused(kb, make_item):
    make_item("x", "T", speakers="Anna Beispiel")
    pid = _person_id(kb, "Anna Beispiel")
    with pytest.raises(ValidationError, match="zwei verschiedene"):
        directory.merge_persons(kb, pid, pid, EDITOR)
    with pytest.raises(NotFound):
        directory.merge_persons(kb, pid, 9999, EDITOR)
    with pytest.raises(Forbidden):
        directory.merge_persons(kb, pid, 9999, Viewer(2, ("autor",)))


def test_deleting_a_speaker_is_refused_with_the_talks_named(kb, make_item):
    make_item("x", "Impuls", speakers="Anna Beispiel")
    pid = _person_id(kb, "Anna Beispiel")
    event_id = _agenda(kb, "Begrüßung", [pid])
    _agenda(kb, "Arbeitgeberservice", [pid], event_id)
    with pytest.raises(ValidationError) as caught:
        directory.delete_person(kb, pid, EDITOR)
    message = caught.value.message("de")
    assert "spricht bei 2 Programmpunkten" in message
    assert "„Begrüßung“" in message and "„Arbeitgeberservice“" in message
    assert "1 Eintrag" in message and "bitte zuerst zusammenführen oder austragen" in message
    with kb.db.reading() as session:
        assert session.get(Person, pid) is not None


def test_deleting_a_person_linked_only_to_items_is_refused(kb, make_item):
    make_item("x", "Impuls", speakers="Ben Muster")
    with pytest.raises(ValidationError, match="bei 1 Eintrag als vortragend"):
        directory.delete_person(kb, _person_id(kb, "Ben Muster"), EDITOR)


def test_a_person_without_links_is_deleted(kb):
    pid = directory.create_person(kb, "Carla Probe", "Referentin", "Fachstelle Test", EDITOR)
    directory.delete_person(kb, pid, EDITOR)
    with kb.db.reading() as session:
        assert session.get(Person, pid) is None
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "person_deleted"))
    with pytest.raises(NotFound):
        directory.delete_person(kb, pid, EDITOR)


def test_renaming_a_person_rewrites_the_items(kb, make_item):
    item_id = make_item("x", "Impuls", speakers="Ana Beispiel")
    pid = _person_id(kb, "Ana Beispiel")
    directory.update_person(kb, pid, "Anna Beispiel", "Koordinatorin", "Landkreis Harz", EDITOR)
    with kb.db.reading() as session:
        assert session.get(Item, item_id).speakers == "Anna Beispiel"
        person = session.get(Person, pid)
        assert (person.function, person.organisation.name) == ("Koordinatorin", "Landkreis Harz")
    with pytest.raises(ValidationError, match="Namen"):
        directory.update_person(kb, pid, "  ", "", "", EDITOR)


def test_merging_organisations_moves_every_reference(kb, make_item):
    talk = make_item(
        "Fristen im Verfahren", "Impuls", organisation="Investitionsbank LSA", speakers="Ben Muster"
    )
    keep = _org(kb, "Investitionsbank Sachsen-Anhalt")  # from the reference list
    drop = _org(kb, "Investitionsbank LSA")
    with kb.db.writing() as session:
        session.get(Person, _person_id(kb, "Ben Muster")).organisation_id = drop.id
        guidance = session.get(Item, talk)
        guidance.issuing_body_id = drop.id
        qa = QAEntry(question="Frist?", answering_body_id=drop.id, asked_on=dt.date(2026, 5, 1))
        session.add(qa)
        session.flush()
        qa_id = qa.id
    organisations.merge_organisations(kb, keep.slug, drop.slug, EDITOR)
    with kb.db.reading() as session:
        assert session.get(Organisation, drop.id) is None
        item = session.get(Item, talk)
        assert (item.organisation_id, item.issuing_body_id) == (keep.id, keep.id)
        assert item.organisation == "Investitionsbank Sachsen-Anhalt"
        assert session.get(Person, _person_id(kb, "Ben Muster")).organisation_id == keep.id
        assert session.get(QAEntry, qa_id).answering_body_id == keep.id
        logged = set(session.execute(select(IndexLog.object_type, IndexLog.object_id)).all())
        assert {("item", talk), ("qa", qa_id)} <= logged
    jobs.run_until_idle(kb)
    facet = _facet(run_search(kb, "Fristen", ANONYMOUS), "organisation")
    assert facet == {"Investitionsbank Sachsen-Anhalt": 1}


def test_deleting_an_organisation_in_use_is_refused_with_counts(kb, make_item):
    make_item("x", "Impuls", organisation="Jobcenter Harz")
    slug = _org(kb, "Jobcenter Harz").slug
    with pytest.raises(ValidationError, match=r"wird noch verwendet \(1 Einträge\)"):
        organisations.delete_organisation(kb, slug, EDITOR)
    unused = organisations.create_organisation(
        kb, organisations.OrganisationEdit("Verein Probe", kind="traeger"), EDITOR
    )
    organisations.delete_organisation(kb, unused, EDITOR)
    with pytest.raises(NotFound):
        organisations.delete_organisation(kb, unused, EDITOR)


def test_organisation_edits_are_checked(kb):
    bad = [
        (organisations.OrganisationEdit(""), "Namen"),
        (organisations.OrganisationEdit("X", kind="bank"), "Unbekannte Art"),
        (organisations.OrganisationEdit("X", district_ags="99999"), "Gebietsschlüssel"),
        (organisations.OrganisationEdit("landesverwaltungsamt sachsen-anhalt"), "gibt es schon"),
    ]
    for edit, message in bad:
        with pytest.raises(ValidationError, match=message):
            organisations.create_organisation(kb, edit, EDITOR)
    slug = organisations.create_organisation(kb, organisations.OrganisationEdit("Merge"), EDITOR)
    assert slug == "merge-2"  # "merge" is a page address


def test_reference_organisations_are_loaded_once(kb):
    with kb.db.reading() as session:
        names = set(session.scalars(select(Organisation.name)))
    from kb.demo import orgs

    assert {orgs.FSIKOE, orgs.LVWA, orgs.IB, orgs.EUMD} <= names
    assert organisations.load_organisations(kb) == 0
    assert _org(kb, orgs.LVWA).short_name == "LVwA"


def test_person_pages_are_for_redaktion(client, kb, add_user, make_item):
    make_item("x", "Impuls", speakers="A. Beispiel, Anna Beispiel")
    add_user("red", "redaktion")
    add_user("les", "leser")
    assert client.get("/persons").status_code == 302
    login(client, "les")
    assert client.get("/persons").status_code == 403
    client.post("/logout")
    login(client, "red")
    page = client.get("/persons").get_data(as_text=True)
    assert "A. Beispiel" in page and "Personen zusammenführen" in page
    keep, drop = _person_id(kb, "Anna Beispiel"), _person_id(kb, "A. Beispiel")
    response = client.post("/persons/merge", data={"keep": keep, "drop": drop})
    assert response.status_code == 302
    refused = client.post(f"/persons/{keep}/delete", follow_redirects=True)
    assert "bitte zuerst zusammenführen oder austragen" in refused.get_data(as_text=True)
    edited = client.post(f"/persons/{keep}/edit", data={"name": "Anna B.", "function": ""})
    assert edited.status_code == 302
    assert client.get(f"/persons/{drop}/edit").status_code == 404


def test_the_organisations_page_merges_two_organisations_through_its_form(
    client, kb, add_user, make_item
):
    talk = make_item("Fristen im Verfahren", "Impuls", organisation="Investitionsbank LSA")
    keep, drop = _org(kb, "Investitionsbank Sachsen-Anhalt"), _org(kb, "Investitionsbank LSA")
    add_user("red", "redaktion")
    add_user("les", "leser")
    form = {"keep": keep.slug, "drop": drop.slug}
    login(client, "les")
    assert client.post("/organisations/merge", data=form).status_code == 403
    assert _org(kb, "Investitionsbank LSA").id == drop.id
    client.post("/logout")
    login(client, "red")
    listing = client.get("/organisations").get_data(as_text=True)
    assert 'action="/organisations/merge"' in listing and f'value="{drop.slug}"' in listing
    same = client.post("/organisations/merge", data={"keep": keep.slug, "drop": keep.slug},
                       follow_redirects=True)  # fmt: skip
    assert "Bitte wählen Sie zwei verschiedene Organisationen." in same.get_data(as_text=True)
    merged = client.post("/organisations/merge", data=form, follow_redirects=True)
    page = merged.get_data(as_text=True)
    assert merged.request.path == "/organisations"
    assert "Die Organisationen sind zusammengeführt." in page
    assert "Investitionsbank LSA" not in page
    with kb.db.reading() as session:
        assert session.get(Organisation, drop.id) is None
        item = session.get(Item, talk)
        assert (item.organisation_id, item.organisation) == (
            keep.id,
            "Investitionsbank Sachsen-Anhalt",
        )
    assert client.get(f"/organisations/{drop.slug}").status_code == 404
    jobs.run_until_idle(kb)
    kept = client.get(f"/organisations/{keep.slug}").get_data(as_text=True)
    assert f'href="/items/{talk}"' in kept
