"""Calendar feeds (.ics) of events and deadlines, public and per user.

Calendar clients (Outlook, Thunderbird, phones) fetch a URL without cookies,
so internal material needs a secret URL per user. Its token is
``secrets.token_urlsafe(32)``; only its SHA-256 is stored (like reset links),
it is shown once, and making a new one replaces — and so revokes — the old
one. A disabled account's feed answers 404. What a feed contains is decided
by the same access rule as the pages: the public feed is what an anonymous
visitor sees, a personal feed what its owner sees now (not when it was made).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import CalendarFeed, Event, User, utcnow
from kb.services import audit
from kb.services.access import Viewer, can_view_object
from kb.services.accounts import viewer_for
from kb.services.context import Kb
from kb.services.deadlines import Upcoming, visible_deadlines

logger = logging.getLogger(__name__)

#: How far back a feed reaches (calendars keep what they have already seen).
PAST_DAYS = 365
PRODID = "-//kb Integrationskoordination Sachsen-Anhalt//kb//DE"


def _host(kb: Kb) -> str:
    return urlsplit(kb.base_url).hostname or "kb.invalid"


def _event_entry(kb: Kb, event: Event, stamp: dt.datetime) -> VEvent:
    assert event.starts_on is not None
    entry = VEvent()
    entry.add("uid", f"event-{event.id}@{_host(kb)}")
    entry.add("dtstamp", stamp)
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_on)
    entry.add("dtend", (event.ends_on or event.starts_on) + dt.timedelta(days=1))
    location = ", ".join(part for part in (event.venue, event.city) if part)
    if location:
        entry.add("location", location)
    if event.description:
        entry.add("description", event.description[:2000])
    entry.add("url", f"{kb.base_url}/events/{event.slug}")
    return entry


def _deadline_entry(kb: Kb, due: Upcoming, stamp: dt.datetime) -> VEvent:
    entry = VEvent()
    entry.add("uid", f"deadline-{due.deadline_id}@{_host(kb)}")
    entry.add("dtstamp", stamp)
    where = due.item_title or due.event_title
    entry.add("summary", f"Frist: {due.title}" + (f" ({where})" if where else ""))
    entry.add("dtstart", due.date)
    entry.add("dtend", due.date + dt.timedelta(days=1))
    if due.note:
        entry.add("description", due.note[:2000])
    if due.item_id is not None:
        entry.add("url", f"{kb.base_url}/items/{due.item_id}")
    elif due.event_slug:
        entry.add("url", f"{kb.base_url}/events/{due.event_slug}")
    return entry


def feed(kb: Kb, viewer: Viewer, today: dt.date, personal: bool = False) -> bytes:
    """The VCALENDAR of events and deadlines ``viewer`` may see (from a year ago on)."""
    start = today - dt.timedelta(days=PAST_DAYS)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = "kb – Veranstaltungen und Fristen" + (" (persönlich)" if personal else "")
    cal.add("x-wr-calname", name)
    with kb.db.reading() as session:
        events = session.scalars(
            select(Event)
            .where(Event.starts_on.is_not(None), Event.starts_on >= start)
            .order_by(Event.starts_on, Event.id)
        )
        for event in events:
            if can_view_object(viewer, event.access):
                cal.add_component(_event_entry(kb, event, stamp))
        for due in visible_deadlines(session, viewer, start, None):
            cal.add_component(_deadline_entry(kb, due, stamp))
    return cal.to_ical()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed_token(kb: Kb, user_id: int) -> str:
    """A new secret for the user's personal feed; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    with kb.db.writing() as session:
        user = session.get(User, user_id)
        assert user is not None
        row = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
        if row is None:
            row = CalendarFeed(user_id=user_id)
            session.add(row)
        row.token_hash, row.created_at, row.last_used_at = _hash(token), utcnow(), None
        audit.record(session, "calendar_feed_created", Viewer(user.id, name=user.username))
    return token


def revoke_feed(kb: Kb, user_id: int) -> bool:
    """Delete the user's personal feed; True if there was one."""
    with kb.db.writing() as session:
        row = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
        if row is None:
            return False
        session.delete(row)
        user = session.get(User, user_id)
        name = user.username if user else ""
        audit.record(session, "calendar_feed_revoked", Viewer(user_id, name=name))
    return True


@dataclass(frozen=True)
class FeedStatus:
    """For the account page: whether a personal feed exists (its URL is not recoverable)."""

    exists: bool
    created_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


def feed_status(kb: Kb, user_id: int) -> FeedStatus:
    with kb.db.reading() as session:
        row = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
        if row is None:
            return FeedStatus(False)
        return FeedStatus(True, row.created_at, row.last_used_at)


def _feed_user(session: Session, token: str) -> tuple[CalendarFeed, User] | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def viewer_for_feed_token(kb: Kb, token: str) -> Viewer | None:
    """The viewer a personal feed URL stands for (as at login), or None (unknown, revoked,
    disabled account). Records when the feed was last fetched."""
    with kb.db.writing() as session:
        found = _feed_user(session, token)
        if found is None:
            return None
        row, user = found
        row.last_used_at = utcnow()
        return viewer_for(session, user)
