"""The admin pages for accounts, and decks shared only with the participants of their event."""

from __future__ import annotations

import re

import pytest
from conftest import login
from sqlalchemy import select

from kb.models import Event, User
from kb.services import accounts
from kb.services.access import SYSTEM
from kb.services.search import run_search


@pytest.fixture
def admin_client(client, add_user):
    add_user("chefin", "admin")
    login(client, "chefin")
    return client


def _event(kb, slug="werkstatt-13") -> Event:
    with kb.db.writing() as session:
        event = Event(slug=slug, title="13. Ideenwerkstatt", city="Halle (Saale)")
        session.add(event)
        session.flush()
        return event


def test_admin_creates_a_user_and_hands_on_a_one_time_link(admin_client, app):
    response = admin_client.post(
        "/admin/users",
        data={"username": "neu.person", "role": "autor", "display_name": "Neue Person"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/reset/[^"]+)"', page).group(1)
    assert link.startswith("http://kb.test/reset/")  # KB_BASE_URL, not the Host header
    path = link.removeprefix("http://kb.test")
    newcomer = app.test_client()
    password = "mein-eigenes-passwort"
    assert newcomer.post(path, data={"new": password, "repeat": password}).status_code == 302
    assert login(newcomer, "neu.person", password).status_code == 302
    assert newcomer.get("/upload").status_code == 200  # an Autor may upload


def test_admin_form_errors_are_german_and_keep_the_input(admin_client):
    response = admin_client.post("/admin/users", data={"username": "Ä Ö", "role": "autor"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Der Benutzername darf nur" in page and 'value="Ä Ö"' in page
    bad_role = admin_client.post("/admin/users", data={"username": "okname", "role": "kaiser"})
    assert bad_role.status_code == 400 and "Unbekannte Rolle" in bad_role.get_data(as_text=True)


def test_admin_changes_role_disables_and_sets_event_groups(admin_client, kb, add_user):
    add_user("bert", "leser")
    _event(kb)
    response = admin_client.post(
        "/admin/users/bert", data={"role": "redaktion", "active": "0", "events": ["werkstatt-13"]}
    )
    assert response.status_code == 302
    with kb.db.reading() as session:
        bert = session.scalar(select(User).where(User.username == "bert"))
        assert (bert.role, bert.active) == ("redaktion", False)
        assert accounts.event_ids_of(session, bert.id)
    assert admin_client.get("/admin/users/niemand").status_code == 404


def test_admin_cannot_disable_themselves(admin_client):
    admin_client.post("/admin/users/chefin", data={"role": "admin", "active": "0"})
    page = admin_client.get("/admin/users/chefin").get_data(as_text=True)
    assert "eigenes Konto nicht deaktivieren" in page
    assert admin_client.get("/admin/users").status_code == 200  # still signed in


def test_decks_for_participants_only(client, kb, add_user, make_item, set_item):
    event = _event(kb)
    item_id = make_item("Vertrauliche Folien Kooperationsbörse", title="Nur Teilnehmende")
    set_item(item_id, event_id=event.id, participants_only=True)
    add_user("teilnehmerin")
    add_user("kollege")
    accounts.set_event_groups(kb, "teilnehmerin", ["werkstatt-13"], SYSTEM)
    participant = accounts.viewer_by_name(kb, "teilnehmerin")
    colleague = accounts.viewer_by_name(kb, "kollege")
    assert run_search(kb, "Kooperationsbörse", participant).total == 1
    assert run_search(kb, "Kooperationsbörse", colleague).total == 0
    assert client.get(f"/items/{item_id}").status_code == 404  # even though it is public
    login(client, "kollege")
    assert client.get(f"/items/{item_id}").status_code == 404
    login(client, "teilnehmerin")
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "nur für Teilnehmende der Veranstaltung" in page
