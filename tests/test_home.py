"""The home page: search, the daily tasks, the next event and the next deadlines."""

from __future__ import annotations

import datetime as dt

from kb.services import events
from kb.services.access import SYSTEM
from kb.services.deadlines import DeadlineInput
from kb.services.guidance import GuidanceEdit, set_guidance


def test_home_shows_the_next_event_and_deadlines(app, client, kb, make_item):
    kb.config["KB_TODAY"] = "2026-11-25"
    today = dt.date(2026, 11, 25)
    for title, day in (("Vergangene Werkstatt", today - dt.timedelta(days=10)),
                       ("Kommende Werkstatt", today + dt.timedelta(days=30))):  # fmt: skip
        events.create_event(kb, events.EventData(title, day, city="Dessau-Roßlau"), SYSTEM)
    sheet = make_item("Merkblatt", title="Merkblatt Förderung", kind="leitfaden")
    rows = [DeadlineInput("Zwischennachweis einreichen", today + dt.timedelta(days=20))]
    set_guidance(kb, sheet, GuidanceEdit(deadlines=rows), SYSTEM)
    page = client.get("/").get_data(as_text=True)
    next_part = page[page.index('id="next-h"') : page.index('id="due-h"')]
    assert "Kommende Werkstatt" in next_part and "25.12.2026" in next_part
    assert "Vergangene Werkstatt" not in next_part
    due_part = page[page.index('id="due-h"') : page.index('id="recent-h"')]
    assert "15.12.2026" in due_part and "Zwischennachweis einreichen" in due_part
    assert "Merkblatt Förderung" in due_part
    for link in ('href="/events"', 'href="/guidance"', 'href="/upload"', 'href="/mappe"'):
        assert link in page, link


def test_home_without_events_or_deadlines_says_so(client):
    page = client.get("/").get_data(as_text=True)
    assert "Zurzeit ist keine Veranstaltung angekündigt." in page
    assert "In den nächsten 120 Tagen stehen keine Fristen an." in page
