"""Changing a talk's event and date after upload: edit form, API, index log, permissions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from api_helpers import assert_error, bearer, token_for
from conftest import login
from sqlalchemy import func, select

from kb.models import Event, IndexLog, Item
from kb.services import events, jobs
from kb.services.access import SYSTEM, Viewer, item_principals
from kb.services.events import EventData
from kb.services.items import ItemMeta, UploadFile, upload_files

DAY = dt.date(2025, 3, 14)


@pytest.fixture
def two_events(kb):
    """The 12th (where a talk was wrongly filed) and the 13th workshop: their slugs and ids."""
    slugs = [
        events.create_event(kb, EventData(f"{n}. IKOE-Ideenwerkstatt", DAY.replace(year=y)), SYSTEM)
        for n, y in ((12, 2024), (13, 2025))
    ]
    with kb.db.reading() as session:
        ids = [session.scalar(select(Event.id).where(Event.slug == s)) for s in slugs]
    return list(zip(slugs, ids, strict=True))


@pytest.fixture
def talk(kb, add_user, two_events):
    """An Autorin's talk, uploaded to the wrong (12th) workshop: (item id, author)."""
    author = Viewer(add_user("autorin", "autor"), ("autor",), name="autorin")
    upload = UploadFile("impuls.txt", io.BytesIO(b"Kooperation mit Arbeitgebern"))
    meta = ItemMeta(title="Arbeitgeber gewinnen", kind="impulsvortrag", event_slug=two_events[0][0])
    outcome = upload_files(kb, [upload], meta, author)[0]
    jobs.run_until_idle(kb)
    assert outcome.item_id is not None
    return outcome.item_id, author


def _item(kb, item_id: int) -> Item:
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        assert item is not None
        return item


def _last_log(kb) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.max(IndexLog.id))) or 0


def _log_since(kb, after: int) -> list[tuple[str, int]]:
    with kb.db.reading() as session:
        rows = session.execute(
            select(IndexLog.object_type, IndexLog.object_id).where(IndexLog.id > after)
        )
        return sorted((t, i) for t, i in rows)


def _form(**changes: str) -> dict[str, str]:
    return {"title": "Arbeitgeber gewinnen", "kind": "impulsvortrag", "access": "public", **changes}


def test_author_moves_her_talk_to_the_right_event_and_dates_it(client, kb, talk, two_events):
    item_id, _ = talk
    (old_slug, old_id), (new_slug, new_id) = two_events
    login(client, "autorin")
    form = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    assert f'<option value="{old_slug}" selected>' in form
    assert 'name="date" type="date" value=""' in form
    before = _last_log(kb)
    response = client.post(f"/items/{item_id}/edit", data=_form(event=new_slug, date="14.03.2025"))
    assert response.status_code == 302
    item = _item(kb, item_id)
    assert (item.event_id, item.date, item.state) == (new_id, DAY, "draft")
    # The item and both events' documents (their material lists) are re-indexed.
    assert _log_since(kb, before) == [("event", old_id), ("event", new_id), ("item", item_id)]
    jobs.run_until_idle(kb)
    assert "Arbeitgeber gewinnen" in client.get(f"/events/{new_slug}").get_data(as_text=True)
    assert "Arbeitgeber gewinnen" not in client.get(f"/events/{old_slug}").get_data(as_text=True)
    form = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    assert f'<option value="{new_slug}" selected>' in form
    assert 'name="date" type="date" value="2025-03-14"' in form
    # "(keine)" detaches it again and a blank date clears the date.
    assert client.post(f"/items/{item_id}/edit", data=_form(event="")).status_code == 302
    item = _item(kb, item_id)
    assert (item.event_id, item.date) == (None, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event": "gibt-es-nicht"}, "Die Veranstaltung „gibt-es-nicht“ gibt es nicht."),
        ({"date": "31.02.2025"}, "„31.02.2025“ ist kein gültiges Datum (Datum)."),
    ],
)
def test_bad_event_or_date_is_refused_in_german_and_nothing_changes(
    client, kb, talk, two_events, changes, message
):
    item_id, _ = talk
    login(client, "autorin")
    response = client.post(f"/items/{item_id}/edit", data=_form(title="Neu", **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    item = _item(kb, item_id)
    assert (item.title, item.event_id) == ("Arbeitgeber gewinnen", two_events[0][1])


def test_only_the_owner_or_redaktion_moves_a_talk(client, kb, add_user, talk, two_events, set_item):
    item_id, _ = talk
    set_item(item_id, state="published", access="internal")  # others can read it now
    add_user("kollege", "autor")
    login(client, "kollege")
    refused = client.post(f"/items/{item_id}/edit", data=_form(event=two_events[1][0]))
    assert refused.status_code == 403
    assert _item(kb, item_id).event_id == two_events[0][1]
    client.post("/logout")
    add_user("red", "redaktion")
    login(client, "red")
    assert (
        client.post(f"/items/{item_id}/edit", data=_form(event=two_events[1][0])).status_code == 302
    )
    assert _item(kb, item_id).event_id == two_events[1][1]


def test_a_deck_shared_with_participants_moves_but_never_loses_its_event(
    client, kb, talk, two_events, set_item
):
    item_id, _ = talk
    (_, old_id), (new_slug, new_id) = two_events
    set_item(item_id, participants_only=True, state="published")
    login(client, "autorin")
    shared = {"participants_only": "1"}
    refused = client.post(f"/items/{item_id}/edit", data=_form(event="", **shared))
    assert refused.status_code == 400
    assert "nur für die Teilnehmenden seiner Veranstaltung freigegeben" in refused.get_data(
        as_text=True
    )
    assert item_principals(_item(kb, item_id))[0] == f"event:{old_id}"
    moved = client.post(f"/items/{item_id}/edit", data=_form(event=new_slug, **shared))
    assert moved.status_code == 302
    assert item_principals(_item(kb, item_id))[0] == f"event:{new_id}"
    # Unticking the consent first lets it leave the event (it becomes an ordinary item).
    assert client.post(f"/items/{item_id}/edit", data=_form(event="")).status_code == 302
    assert _item(kb, item_id).event_id is None


def test_api_patch_sets_and_clears_event_and_date(client, kb, talk, two_events):
    item_id, author = talk
    (old_slug, old_id), (new_slug, new_id) = two_events
    headers = bearer(token_for(kb, author.user_id, "write", "autor"))
    url = f"/api/v1/items/{item_id}"
    client.patch(url, json={"topics": ["Wohnen"]}, headers=headers)  # not in the vocabulary: a tag
    before = _last_log(kb)
    moved = client.patch(url, json={"event": new_slug, "date": "2025-03-14"}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert (body["event"], body["date"], body["title"]) == (
        new_slug,
        "2025-03-14",
        "Arbeitgeber gewinnen",
    )
    assert body["tags"] == ["Wohnen"]  # fields not sent stay, tags included
    assert _log_since(kb, before) == [("event", old_id), ("event", new_id), ("item", item_id)]
    kept = client.patch(url, json={"summary": "Kurz"}, headers=headers).get_json()
    assert (kept["event"], kept["date"]) == (new_slug, "2025-03-14")
    cleared = client.patch(url, json={"event": None, "date": None}, headers=headers).get_json()
    assert (cleared["event"], cleared["date"]) == (None, None)
    unknown = assert_error(client.patch(url, json={"event": "nix"}, headers=headers), 400)
    assert "nix" in unknown["message"]
    bad_date = assert_error(client.patch(url, json={"date": "14.03.2025"}, headers=headers), 400)
    assert "date" in bad_date["details"]
    assert _item(kb, item_id).event_id is None


def test_api_patch_keeps_the_authorisation_rules(client, kb, add_user, talk, two_events):
    item_id, _ = talk
    other = add_user("kollege", "autor")
    headers = bearer(token_for(kb, other, "write", "autor"))
    patched = client.patch(
        f"/api/v1/items/{item_id}", json={"event": two_events[1][0]}, headers=headers
    )
    assert_error(patched, 404)  # a foreign draft is not even visible
    assert _item(kb, item_id).event_id == two_events[0][1]
