"""The authorisation matrix for decks shared only with the participants of their event.

The matrix items (``tests/authz_support.py``) all become such decks of one public
event; a Leser in that event's participant group joins the roles. The rule, restated
from the issue: a published or archived deck is for its event's participants, its
owner and the Redaktion — never for other members or anonymous visitors, whatever
its access level says; a draft or a deck under review is for its owner and the
Redaktion only.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from authz_support import ROLES, first_file_id, make_world, status
from conftest import login
from sqlalchemy import select

from kb.models import Event
from kb.services import accounts, events, jobs
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.search import run_search

PARTICIPANT_ROLES = [*ROLES, "participant"]


def may_view(role: str, state: str) -> bool:
    if role in ("redaktion", "admin", "autor_own"):
        return True
    return role == "participant" and state in ("published", "archived")


@pytest.fixture
def decks(app, kb, add_user, set_item):
    """The matrix world, its items decks for the participants of "werkstatt", plus one."""
    clients, items = make_world(app, kb, add_user, set_item)
    data = events.EventData("Werkstatt", dt.date(2025, 3, 14), access="public")
    slug = events.create_event(kb, data, SYSTEM)
    event_id = _event_id(kb, slug)
    for item_id in items.values():
        set_item(item_id, event_id=event_id, participants_only=True)
    add_user("participant", "leser")
    accounts.set_event_groups(kb, "participant", [slug], SYSTEM)
    clients["participant"] = app.test_client()
    assert login(clients["participant"], "participant").status_code == 302
    return clients, items, slug


def _event_id(kb, slug: str) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(Event.id).where(Event.slug == slug))


def test_deck_routes(decks, kb):
    clients, items, _ = decks
    for role, ((state, access), item_id) in itertools.product(PARTICIPANT_ROLES, items.items()):
        client, where = clients[role], (role, state, access)
        seen = may_view(role, state)
        expect = 200 if seen else 404
        file_id = first_file_id(kb, item_id)
        for path in (f"/items/{item_id}", f"/items/{item_id}/files/{file_id}",
                     f"/items/{item_id}/handout.pdf", f"/api/v1/items/{item_id}",
                     f"/api/v1/items/{item_id}/versions/{file_id}/file",
                     f"/api/v1/items/{item_id}/handout.pdf"):  # fmt: skip
            assert status(client, "GET", path) == expect, (path, *where)
        if role in ("autor_own", "redaktion", "admin"):
            edit = 200
        else:
            edit = 403 if seen else 404  # the participant reads, but does not edit
        assert status(client, "GET", f"/items/{item_id}/edit") == edit, where
        mappe = status(client, "POST", "/mappe/items", data={"item_id": item_id})
        assert mappe == (302 if seen else 404), where
        listed = client.get("/api/v1/items?per_page=100").get_json()["items"]
        assert (item_id in {i["id"] for i in listed}) == seen, where


def test_search_counts_decks_for_participants_only(decks, kb):
    _, items, _ = decks
    for role in PARTICIPANT_ROLES:
        viewer = accounts.viewer_by_name(kb, role) if role != "anon" else ANONYMOUS
        result = run_search(kb, "Matrixwort", viewer)
        expected = {
            item_id
            for (state, _), item_id in items.items()
            if state != "archived" and may_view(role, state)
        }
        assert {h.item_id for h in result.hits} == expected, role
        assert result.total == len(expected), role


def test_event_surfaces_answer_everyone(decks):
    """The event is public: its page, ZIP and handout answer everyone (their contents are
    checked word by word in test_leaks.py)."""
    clients, _, slug = decks
    for role in PARTICIPANT_ROLES:
        for path in (f"/events/{slug}", f"/events/{slug}/materials.zip",
                     f"/events/{slug}/handout.pdf", f"/api/v1/events/{slug}",
                     f"/api/v1/events/{slug}/materials.zip"):  # fmt: skip
            assert status(clients[role], "GET", path) == 200, (path, role)


def test_leaving_the_group_ends_access_at_the_next_request(decks, kb):
    clients, items, _ = decks
    participant, deck = clients["participant"], items[("published", "public")]
    assert status(participant, "POST", "/mappe/items", data={"item_id": deck}) == 302
    assert status(participant, "GET", f"/items/{deck}") == 200
    accounts.set_event_groups(kb, "participant", [], SYSTEM)
    jobs.run_until_idle(kb)
    assert status(participant, "GET", f"/items/{deck}") == 404
    assert f"/items/{deck}" not in participant.get("/mappe").get_data(as_text=True)
