"""The loaded demo is a believable history: workshops since 2016 in different districts, talks
with decks and programmes, the planned next one, two guidance editions with a real change,
the question round linked to the guidance — and no personal names anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kb.demo.photo import PHOTO_ALT
from kb.models import AgendaEntry, Event, FileVersion, Item, Person, QAEntry
from kb.services import guidance_pages, jobs
from kb.services.access import ANONYMOUS
from kb.services.check import run_check
from kb.services.guidance import validity
from kb.services.search import run_search
from kb.services.setup import load_demo

TODAY = dt.date(2026, 11, 25)
#: Before the 1st workshop was anchored, a clock from 2026-12-25 on began the series in 2017.
A_YEAR_LATER = dt.date(2027, 11, 25)
ROLE_WORDS = ("Leitung", "Team", "Referat", "Beratungsteam", "Förderberatung")


def test_demo_series_starts_in_2016_whatever_today_is():
    """The 1st workshop stays in 2016 ("since 2016") and the rest stay plausible: in number
    order, 8 to 16 months apart, the 13th in the past."""
    from kb.demo import EVENT_OFFSET
    from kb.demo.history import WORKSHOPS

    for today in (TODAY, dt.date(2026, 12, 25), A_YEAR_LATER, dt.date(2031, 3, 1)):
        thirteenth = today + dt.timedelta(days=EVENT_OFFSET)
        days = [w.starts_on(thirteenth) for w in WORKSHOPS]
        assert days[0].year == 2016, today
        assert days == sorted(days) and days[-1] < thirteenth, today
        pairs = list(zip([w.number for w in WORKSHOPS] + [13], [*days, thirteenth], strict=True))
        for (a, day_a), (b, day_b) in zip(pairs, pairs[1:], strict=False):
            assert 240 <= (day_b - day_a).days / (b - a) <= 480, (today, a, b)


@pytest.mark.parametrize("today", [TODAY, A_YEAR_LATER])
def test_demo_history(kb, today):
    kb.config["KB_TODAY"] = today.isoformat()
    assert load_demo(kb, today) >= 10
    assert load_demo(kb, today) == 0  # once only
    jobs.run_until_idle(kb)
    with kb.db.reading() as session:
        events = session.scalars(select(Event).order_by(Event.starts_on)).all()
        assert len(events) >= 8
        assert events[0].starts_on.year == 2016  # "since 2016", also a year later
        assert len({e.host_district_ags for e in events}) >= 8
        past = [e for e in events if e.starts_on < today]
        upcoming = [e for e in events if e.starts_on > today]
        assert [e.number for e in upcoming] == [14]
        for event in past:
            entries = session.scalar(
                select(func.count(AgendaEntry.id)).where(AgendaEntry.event_id == event.id)
            )
            linked = session.scalar(
                select(func.count(AgendaEntry.id)).where(
                    AgendaEntry.event_id == event.id, AgendaEntry.item_id.is_not(None)
                )
            )
            assert entries >= 4 and linked >= 1, event.title
        thirteenth = next(e for e in events if e.number == 13)
        assert thirteenth.city == "Halle (Saale)"
        new = session.scalar(
            select(Item).where(Item.kind == "leitfaden", Item.supersedes_id.is_not(None))
        )
        assert new is not None and new.supersedes is not None
        assert validity(new, today).status == "upcoming"
        assert validity(new.supersedes, today).status == "current"
        assert validity(new.supersedes, dt.date(today.year + 1, 1, 2)).status == "superseded"
        assert "- [ ]" in new.body
        qa_count = session.scalar(select(func.count(QAEntry.id)))
        assert qa_count == 5
        photo = session.scalar(select(FileVersion).where(FileVersion.mime == "image/png"))
        assert photo is not None and photo.alt_text == PHOTO_ALT  # a real description
        names = session.scalars(select(Person.name)).all()
        assert names and all(any(w in n for w in ROLE_WORDS) for n in names), names
    changes = guidance_pages.changes(kb, new.id, ANONYMOUS)
    assert any("sechs Monaten" in line for line in changes.whats_new)
    hits = run_search(kb, "Arbeitgeberkooperation", ANONYMOUS)
    assert hits.total >= 1
    assert run_check(kb).ok


def test_handouts_of_every_kind_from_the_demo(kb):
    """Item, event, guidance and Mappe handouts rendered from the demo: tagged, German,
    bookmarked, numbered, and saying what the demo says."""
    import io

    import pypdf

    from kb.services.handout_kinds import event_handout
    from kb.services.handouts import bundle_handout, item_handout

    kb.config["KB_TODAY"] = TODAY.isoformat()
    load_demo(kb, TODAY)
    jobs.run_until_idle(kb)
    with kb.db.reading() as session:
        talk = session.scalar(select(Item.id).where(Item.title.like("Arbeitgeberkooperation:%")))
        guide = session.scalar(select(Item.id).where(Item.supersedes_id.is_not(None)))
        slug = session.scalar(select(Event.slug).where(Event.number == 13))
    pdfs = {
        "item": item_handout(kb, talk, ANONYMOUS)[0],
        "event": event_handout(kb, slug, ANONYMOUS)[0],
        "guidance": item_handout(kb, guide, ANONYMOUS)[0],
        "mappe": bundle_handout(kb, "Mappe Halle", "", [talk, guide], ANONYMOUS)[0],
    }
    expected = {
        "item": ["Patenschaftsmodell", "Folie 3", "QR-Code"],
        "event": ["Programm", "Impuls: Arbeitgeberkooperation", "Alle Materialien"],
        "guidance": [f"Gilt ab 01.01.{TODAY.year + 1}", "☐", "Was ist neu", "Häufige Fragen"],
        "mappe": ["Mappe Halle", "Inhalt", "Arbeitgeberkooperation"],
    }
    for kind, pdf in pdfs.items():
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == "de", kind
        assert reader.outline, kind
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
        assert f"Seite 1 von {len(reader.pages)}" in text, kind
        for words in expected[kind]:
            assert words in text, (kind, words)
