"""Questions and answers: Redaktion records them, readers see them by access, as a FAQ."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import login
from sqlalchemy import select

from kb.errors import Forbidden, NotFound, Unauthorized, ValidationError
from kb.models import Event, IndexLog, QAEntry
from kb.services import qa
from kb.services.access import ANONYMOUS
from kb.services.accounts import viewer_by_name
from kb.services.qa import QAData


@pytest.fixture
def world(kb, make_item, add_user, set_item):
    guide = make_item("Merkblatt Text", title="Merkblatt 2027", kind="leitfaden")
    hidden = make_item("Entwurf", title="Merkblatt Entwurf", kind="leitfaden")
    talk = make_item("Folien", title="Impuls", kind="impulsvortrag")
    for name, role in (("red", "redaktion"), ("leser", "leser"), ("autor", "autor")):
        add_user(name, role)
    set_item(hidden, state="draft")
    with kb.db.writing() as session:
        session.add(Event(slug="ws13", title="13. Ideenwerkstatt", starts_on=dt.date(2026, 5, 6)))
        session.add(Event(slug="intern", title="Interne Runde", access="internal"))
    return {
        "guide": guide,
        "hidden": hidden,
        "talk": talk,
        "red": viewer_by_name(kb, "red"),
        "leser": viewer_by_name(kb, "leser"),
        "autor": viewer_by_name(kb, "autor"),
    }


def _data(**changes) -> QAData:
    values = {
        "question": "Was ändert sich ab 2027 im Antrag?",
        "answer": "Der Antrag wird online gestellt.",
        "answering_body": "Investitionsbank",
        "asked_on": dt.date(2026, 5, 6),
        "event_slug": "ws13",
        "access": "public",
        "guidance_ids": [],
    }
    return QAData(**{**values, **changes})


def test_create_update_delete_log_every_change(kb, world):
    qa_id = qa.create(kb, _data(guidance_ids=[world["guide"]]), world["red"])
    rows = qa.for_item(kb, world["guide"], ANONYMOUS)
    assert [(r.question, r.answering_body, r.event_title, r.guidance) for r in rows] == [
        (
            "Was ändert sich ab 2027 im Antrag?",
            "Investitionsbank",
            "13. Ideenwerkstatt",
            [(world["guide"], "Merkblatt 2027")],
        )
    ]
    qa.update(kb, qa_id, _data(question="Neu?", event_slug=None), world["red"])
    data = qa.form_data(kb, qa_id, world["red"])
    assert (data.question, data.event_slug, data.guidance_ids) == ("Neu?", None, [])
    assert qa.for_item(kb, world["guide"], ANONYMOUS) == []
    assert qa.remove(kb, qa_id, world["red"]) == []
    with kb.db.reading() as session:
        assert session.get(QAEntry, qa_id) is None
        logged = session.scalars(
            select(IndexLog.object_id).where(IndexLog.object_type == "qa")
        ).all()
    assert logged == [qa_id, qa_id, qa_id]


def test_only_redaktion_records(kb, world):
    with pytest.raises(Unauthorized):
        qa.create(kb, _data(), ANONYMOUS)
    for name in ("leser", "autor"):
        with pytest.raises(Forbidden):
            qa.create(kb, _data(), world[name])
    qa_id = qa.create(kb, _data(), world["red"])
    with pytest.raises(Forbidden):
        qa.update(kb, qa_id, _data(), world["leser"])
    with pytest.raises(Forbidden):
        qa.remove(kb, qa_id, world["autor"])
    with pytest.raises(NotFound):
        qa.update(kb, 9999, _data(), world["red"])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"question": "  "}, "Bitte geben Sie die Frage ein."),
        ({"event_slug": "gibtsnicht"}, "Die Veranstaltung „gibtsnicht“ gibt es nicht."),
        ({"guidance_ids": [9999]}, "Einen Leitfaden Nr. 9999 gibt es nicht."),
        ({"access": "geheim"}, "Unbekannter Zugriff: „geheim“."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(kb, world, changes, message):
    with pytest.raises(ValidationError) as caught:
        qa.create(kb, _data(**changes), world["red"])
    assert caught.value.message_de == message
    with kb.db.reading() as session:
        assert session.scalars(select(QAEntry)).all() == []


def test_only_guidance_can_be_linked(kb, world):
    with pytest.raises(ValidationError, match="„Impuls“ ist kein Leitfaden"):
        qa.create(kb, _data(guidance_ids=[world["talk"]]), world["red"])


def test_readers_see_by_access_and_only_visible_links(kb, world):
    both = [world["guide"], world["hidden"]]
    public = qa.create(kb, _data(question="Öffentlich?", guidance_ids=both), world["red"])
    qa.create(kb, _data(question="Intern?", access="internal", guidance_ids=both), world["red"])
    qa.create(kb, _data(question="Zur internen Runde?", event_slug="intern"), world["red"])
    anon = qa.for_item(kb, world["guide"], ANONYMOUS)
    assert [r.question for r in anon] == ["Öffentlich?"]
    assert anon[0].guidance == [(world["guide"], "Merkblatt 2027")]  # not the draft
    leser = qa.for_item(kb, world["guide"], world["leser"])
    assert sorted(r.question for r in leser) == ["Intern?", "Öffentlich?"]
    red = {r.id: r for r in qa.for_item(kb, world["guide"], world["red"])}
    assert len(red[public].guidance) == 2
    assert qa.for_item(kb, world["hidden"], ANONYMOUS) == []  # the item itself is hidden
    with kb.db.reading() as session:
        ids = dict(session.execute(select(Event.slug, Event.id)).all())
    assert [r.question for r in qa.for_event(kb, ids["ws13"], ANONYMOUS)] == ["Öffentlich?"]
    assert len(qa.for_event(kb, ids["ws13"], world["leser"])) == 2
    assert qa.for_event(kb, ids["intern"], ANONYMOUS) == []
    assert [r.question for r in qa.for_event(kb, ids["intern"], world["leser"])] == [
        "Zur internen Runde?"
    ]


def test_faq_on_the_guidance_page_and_the_forms(app, kb, world):
    red = app.test_client()
    login(red, "red")
    form = red.get(f"/qa/new?item={world['guide']}").get_data(as_text=True)
    assert f'value="{world["guide"]}" checked' in form
    data = {
        "question": "Gilt das Formular A weiter?",
        "answer": "Nein.",
        "answering_body": "Landesverwaltungsamt",
        "asked_on": "06.05.2026",
        "event_slug": "ws13",
        "access": "public",
        "guidance_ids": [str(world["guide"])],
    }
    response = red.post("/qa/new", data=data)
    assert response.status_code == 302 and response.location.endswith("#faq-h")
    bad = red.post("/qa/new", data={**data, "question": ""})
    assert bad.status_code == 400 and "Bitte geben Sie die Frage ein." in bad.get_data(True)
    bad = red.post("/qa/new", data={**data, "asked_on": "gestern"})
    assert bad.status_code == 400 and "kein gültiges Datum" in bad.get_data(True)
    page = app.test_client().get(f"/items/{world['guide']}").get_data(as_text=True)
    assert "Häufige Fragen" in page and "Gilt das Formular A weiter?" in page
    assert "Landesverwaltungsamt" in page and "/qa/" not in page  # no edit links for readers
    with kb.db.reading() as session:
        qa_id = session.scalar(select(QAEntry.id))
    assert f"/qa/{qa_id}/edit" in red.get(f"/items/{world['guide']}").get_data(as_text=True)
    edit = red.post(f"/qa/{qa_id}/edit", data={**data, "answer": "Doch."})
    assert edit.status_code == 302
    assert qa.for_item(kb, world["guide"], ANONYMOUS)[0].answer == "Doch."
    assert red.post(f"/qa/{qa_id}/delete").status_code == 302
    assert qa.for_item(kb, world["guide"], ANONYMOUS) == []
