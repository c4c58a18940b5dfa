"""Calendar feeds: parsed back with icalendar; public vs. personal; secret tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from conftest import login
from icalendar import Calendar
from sqlalchemy import select

from kb.models import CalendarFeed, Deadline, Event
from kb.services import calendar
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.accounts import set_active, viewer_by_name
from kb.services.deadlines import DeadlineInput, set_deadlines

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def world(app, kb, make_item, add_user, set_item):
    app.config["KB_TODAY"] = TODAY.isoformat()
    public_guide = make_item("Text A", title="Merkblatt öffentlich", kind="leitfaden")
    internal_guide = make_item("Text B", title="Merkblatt intern", kind="leitfaden")
    draft_guide = make_item("Text C", title="Merkblatt Entwurf", kind="leitfaden")
    set_deadlines(kb, public_guide, [DeadlineInput("Antragsfrist", "2026-09-30")], SYSTEM)
    set_deadlines(kb, internal_guide, [DeadlineInput("Interne Frist", "2026-10-01")], SYSTEM)
    set_deadlines(kb, draft_guide, [DeadlineInput("Entwurfsfrist", "2026-10-02")], SYSTEM)
    set_item(internal_guide, access="internal")
    set_item(draft_guide, state="draft")
    with kb.db.writing() as session:
        ws = Event(
            slug="ws14",
            title="14. Ideenwerkstatt",
            starts_on=dt.date(2026, 9, 10),
            ends_on=dt.date(2026, 9, 11),
            city="Halle (Saale)",
            venue="Stadthaus",
            access="public",
        )
        internal = Event(
            slug="netz",
            title="Interne Netzwerkrunde",
            starts_on=dt.date(2026, 8, 1),
            access="internal",
        )
        old = Event(slug="alt", title="Sehr alte Werkstatt", starts_on=dt.date(2020, 1, 1))
        session.add_all([ws, internal, old])
        session.flush()
        session.add(Deadline(event_id=internal.id, due_on=dt.date(2026, 7, 1), title="Anmeldung"))
        ids = {"ws": ws.id, "internal_event": internal.id}
    add_user("leser")
    return {"public": public_guide, "internal": internal_guide, "draft": draft_guide, **ids}


def _entries(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(c["uid"]): c for c in cal.walk("VEVENT")}


def test_public_feed_has_public_events_and_deadlines_only(kb, world, client):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    entries = _entries(response.data)
    assert set(entries) == {f"event-{world['ws']}@kb.test", "deadline-1@kb.test"}
    ws = entries[f"event-{world['ws']}@kb.test"]
    assert str(ws["summary"]) == "14. Ideenwerkstatt"
    assert ws.decoded("dtstart") == dt.date(2026, 9, 10)
    assert ws.decoded("dtend") == dt.date(2026, 9, 12)  # all-day: the day after the last
    assert str(ws["location"]) == "Stadthaus, Halle (Saale)"
    assert str(ws["url"]) == "http://kb.test/events/ws14"
    assert "dtstamp" in ws
    deadline = entries["deadline-1@kb.test"]
    assert str(deadline["summary"]) == "Frist: Antragsfrist (Merkblatt öffentlich)"
    assert deadline.decoded("dtstart") == dt.date(2026, 9, 30)
    assert str(deadline["url"]) == f"http://kb.test/items/{world['public']}"
    for hidden in (b"Interne", b"Entwurf", b"Anmeldung", b"Sehr alte"):
        assert hidden not in response.data


def test_signed_in_users_get_the_public_feed_at_the_public_url(world, client):
    login(client, "leser")
    assert b"Interne" not in client.get("/calendar.ics").data


def test_personal_feed_shows_what_the_user_may_see(kb, world, client):
    leser_id = viewer_by_name(kb, "leser").user_id
    token = calendar.create_feed_token(kb, leser_id)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = {str(e["summary"]) for e in _entries(response.data).values()}
    assert summaries == {
        "14. Ideenwerkstatt",
        "Interne Netzwerkrunde",
        "Frist: Antragsfrist (Merkblatt öffentlich)",
        "Frist: Interne Frist (Merkblatt intern)",
        "Frist: Anmeldung (Interne Netzwerkrunde)",
    }
    with kb.db.reading() as session:
        row = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == leser_id))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.last_used_at is not None


def test_a_new_token_revokes_the_old_and_revoking_gives_404(kb, world, client):
    leser_id = viewer_by_name(kb, "leser").user_id
    first = calendar.create_feed_token(kb, leser_id)
    second = calendar.create_feed_token(kb, leser_id)
    assert first != second and len(second) >= 43
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200
    assert calendar.revoke_feed(kb, leser_id) is True
    assert calendar.revoke_feed(kb, leser_id) is False
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert client.get("/calendar/erfunden.ics").status_code == 404


def test_a_disabled_account_has_no_feed(kb, world, client):
    leser_id = viewer_by_name(kb, "leser").user_id
    token = calendar.create_feed_token(kb, leser_id)
    set_active(kb, "leser", False, SYSTEM)
    assert calendar.viewer_for_feed_token(kb, token) is None
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_feed_viewer_is_built_like_the_login(kb, world):
    leser = viewer_by_name(kb, "leser")
    token = calendar.create_feed_token(kb, leser.user_id)
    assert calendar.viewer_for_feed_token(kb, token) == leser
    assert calendar.viewer_for_feed_token(kb, "") is None
    assert calendar.viewer_for_feed_token(kb, "x" * 500) is None


def test_feed_function_for_anonymous_equals_public_url(kb, world):
    assert set(_entries(calendar.feed(kb, ANONYMOUS, TODAY))) == {
        f"event-{world['ws']}@kb.test",
        "deadline-1@kb.test",
    }


def test_account_page_creates_shows_once_and_revokes(kb, world, client):
    login(client, "leser")
    account = client.get("/account").get_data(as_text=True)
    assert "Kalender abonnieren" in account and "http://kb.test/calendar.ics" in account
    assert "widerrufen" not in account
    shown = client.post("/account/calendar")
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    start = text.index("http://kb.test/calendar/")
    link = text[start : text.index('"', start)]
    path = link.removeprefix("http://kb.test")
    assert client.get(path).status_code == 200
    again = client.get("/account").get_data(as_text=True)
    assert link not in again and "Persönlichen Link widerrufen" in again
    assert client.post("/account/calendar/revoke").status_code == 302
    assert client.get(path).status_code == 404


def test_anonymous_visitors_cannot_make_a_feed(client, world):
    response = client.post("/account/calendar")
    assert response.status_code == 302 and "/login" in response.location
