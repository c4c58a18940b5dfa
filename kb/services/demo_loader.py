"""Loading the demo through the same services the pages use: the series, its workshops since
2016 with talks and programmes, the 13th in Halle with its materials, photo and question
round, the planned 14th, and two editions of the guidance with a real change between them.

Everything goes through the service layer (events, agenda, uploads, guidance, Q&A), so the
demo is also a test of those rules. The content itself is built by :mod:`kb.demo`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from sqlalchemy import select

from kb.models import Event, EventSeries
from kb.services import agenda, events, qa
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.context import Kb
from kb.services.deadlines import DeadlineInput, set_event_deadlines
from kb.services.guidance import GuidanceEdit, set_guidance
from kb.services.items import ItemMeta, UploadFile, upload_files

logger = logging.getLogger(__name__)

#: When the planned 14th workshop takes place, from today.
NEXT_IN = dt.timedelta(days=60)

SERIES_TITLE = "IKOE-Ideenwerkstatt"
SERIES_DESCRIPTION = (
    "Die Werkstattreihe der Fachstelle Interkulturelle Öffnung für die kommunale "
    "Integrationskoordination in Sachsen-Anhalt, seit 2016 jedes Mal in einem anderen Landkreis "
    "oder einer anderen kreisfreien Stadt: Impulse, Projektnachrichten und Fragerunden mit den "
    "Fördermittelgebern."
)


def demo_loaded(kb: Kb) -> bool:
    """True once the 13th workshop of the demo series exists (the last thing made first)."""
    with kb.db.reading() as session:
        query = (
            select(Event.id)
            .join(EventSeries, Event.series_id == EventSeries.id)
            .where(EventSeries.title == SERIES_TITLE, Event.number == 13)
        )
        return session.scalar(query) is not None


def _upload(kb: Kb, meta: ItemMeta, files: list[tuple[str, bytes]], alt: str = "") -> int:
    uploads = [UploadFile(name, io.BytesIO(data), alt) for name, data in files]
    outcome = upload_files(kb, uploads, meta, ANONYMOUS)[0]
    if outcome.item_id is None:
        raise RuntimeError(f"demo upload failed: {outcome}")
    return outcome.item_id


def _event(kb: Kb, series: str, number: int, title: str, day: dt.date, **fields: str) -> str:
    data = events.EventData(title, day, series_slug=series, number=number, **fields)
    return events.create_event(kb, data, SYSTEM)


def _programme(kb: Kb, slug: str, rows: list[agenda.AgendaData]) -> None:
    agenda.set_agenda(kb, slug, rows, SYSTEM)


def load(kb: Kb, today: dt.date) -> int:
    """Load the whole demo; return the number of items created."""
    from kb.demo import EVENT_OFFSET, build_demo, build_demo_items
    from kb.demo.history import NEXT_WORKSHOP, WORKSHOPS, programme

    series = events.create_series(kb, events.SeriesData(SERIES_TITLE, SERIES_DESCRIPTION), SYSTEM)
    thirteenth = today + dt.timedelta(days=EVENT_OFFSET)
    created = 0
    for workshop in WORKSHOPS:
        day = workshop.starts_on(thirteenth)
        slug = _event(kb, series, workshop.number, workshop.title(), day, city=workshop.city,
                      venue=workshop.venue, host_district_ags=workshop.host_district_ags,
                      description=workshop.description)  # fmt: skip
        rows = []
        for talk in workshop.talks:
            meta = ItemMeta(title=talk.title, kind=talk.kind, summary=talk.summary,
                            organisation=talk.organisation, speakers=talk.speaker,
                            event_slug=slug, date=day, topics=list(talk.topics),
                            districts=[workshop.host_district_ags])  # fmt: skip
            item_id = _upload(kb, meta, [(talk.filename, talk.deck())])
            created += 1
            rows = _rows(programme(talk, workshop.city), {talk.key: item_id})
        _programme(kb, slug, rows or _rows(programme(None, workshop.city), {}))
    created += _thirteenth(kb, series, build_demo(today)[0], today)
    for item in build_demo_items(today):
        meta = ItemMeta(title=item.title, kind=item.kind, summary=item.summary,
                        organisation=item.organisation, topics=list(item.topics),
                        date=today + dt.timedelta(days=item.days_offset))  # fmt: skip
        _upload(kb, meta, [(f.filename, f.data) for f in item.files])
        created += 1
    nxt = NEXT_WORKSHOP  # planned two months ahead, so the home page has one to show
    slug = _event(kb, series, nxt.number, nxt.title(), today + NEXT_IN, city=nxt.city,
                  venue=nxt.venue, host_district_ags=nxt.host_district_ags,
                  description=nxt.description)  # fmt: skip
    _programme(kb, slug, _rows(programme(None, nxt.city), {}))
    closes = today + NEXT_IN - dt.timedelta(days=14)
    set_event_deadlines(kb, slug, [DeadlineInput("Anmeldeschluss", closes, nxt.title())], SYSTEM)
    logger.info("Demo content: %d items created", created)
    return created


def _rows(entries, keys: dict[str, int]) -> list[agenda.AgendaData]:  # type: ignore[no-untyped-def]
    return [
        agenda.AgendaData(e.starts_at, e.ends_at, e.title, e.speakers, keys.get(e.talk))
        for e in entries
    ]


def _thirteenth(kb: Kb, series: str, demo, today: dt.date) -> int:  # type: ignore[no-untyped-def]
    """The 13th workshop in Halle: talks, guidance (new edition), minutes, photo, Q&A."""
    from kb.demo.documents import PROTOKOLL_QA, build_leitfaden_pdf, leitfaden_title
    from kb.demo.guidance import body_markdown, deadlines
    from kb.demo.photo import PHOTO_ALT, build_photo

    day = today + dt.timedelta(days=demo.days_offset)
    slug = _event(kb, series, demo.number, demo.title, day, city=demo.city,
                  venue="Stadthaus am Marktplatz", host_district_ags=demo.host_district_ags,
                  description=demo.description)  # fmt: skip
    ids: dict[str, int] = {}
    for item in demo.items:
        meta = ItemMeta(title=item.title, kind=item.kind, summary=item.summary,
                        organisation=item.organisation, speakers=_speaker(item.key),
                        event_slug=slug, date=today + dt.timedelta(days=item.days_offset),
                        topics=list(item.topics), programme=item.programme,
                        districts=[demo.host_district_ags])  # fmt: skip
        ids[item.key] = _upload(kb, meta, [(f.filename, f.data) for f in item.files])
    photo = ItemMeta(title="Arbeitsgruppen in der 13. IKOE-Ideenwerkstatt (Illustration)",
                     kind="sonstiges", event_slug=slug, date=day,
                     summary="Skizze des Arbeitsraums mit vier Gruppentischen.")  # fmt: skip
    _upload(kb, photo, [("Ideenwerkstatt_Halle_Arbeitsgruppen.png", build_photo())], PHOTO_ALT)
    _programme(kb, slug, _halle_programme(ids))
    year = today.year
    old_meta = ItemMeta(title=leitfaden_title(year, previous=True), kind="leitfaden",
                        summary=f"Die Antragsformalitäten im Förderjahr {year}.",
                        organisation="Landesverwaltungsamt Sachsen-Anhalt", programme="AMIF",
                        date=dt.date(year - 1, 11, 15), topics=["Förderverfahren"])  # fmt: skip
    old = _upload(kb, old_meta, [(f"Leitfaden_Antragsformalitäten_{year}.pdf",
                                  build_leitfaden_pdf(year, previous=True))])  # fmt: skip
    set_guidance(kb, old, GuidanceEdit(
        issuing_body="LVwA", valid_from=dt.date(year, 1, 1), valid_until=dt.date(year, 12, 31),
        body=body_markdown(year, previous=True)), SYSTEM)  # fmt: skip
    new = ids["leitfaden-antragsformalitaeten"]
    rows = [DeadlineInput(title, due, note) for title, due, note in deadlines(year + 1)]
    set_guidance(kb, new, GuidanceEdit(
        issuing_body="LVwA", valid_from=dt.date(year + 1, 1, 1), supersedes_id=old,
        body=body_markdown(year + 1), deadlines=rows), SYSTEM)  # fmt: skip
    for question, body, answer in PROTOKOLL_QA:
        data = qa.QAData(question, answer.format(year=year + 1), answering_body=body,
                         asked_on=day, event_slug=slug, access="public",
                         guidance_ids=[new])  # fmt: skip
        qa.create(kb, data, SYSTEM)
    return len(ids) + 2  # the items of the event, the photo, the previous edition


def _speaker(key: str) -> str:
    """Speakers are roles, never personal names (see kb/demo/history.py)."""
    return {
        "impuls-arbeitgeber": "Leitung Fachstelle Interkulturelle Öffnung",
        "eu-migrationsdienst": "Beratungsteam EU-Migrationsdienst",
        "leitfaden-antragsformalitaeten": "Referat Zuwendungen (Landesverwaltungsamt)",
    }.get(key, "")


def _halle_programme(ids: dict[str, int]) -> list[agenda.AgendaData]:
    return [
        agenda.AgendaData("09:30", "10:00", "Ankommen und Begrüßung in Halle (Saale)",
                          "Leitung Fachstelle Interkulturelle Öffnung"),
        agenda.AgendaData("10:00", "11:00", "Impuls: Arbeitgeberkooperation",
                          "Leitung Fachstelle Interkulturelle Öffnung",
                          ids["impuls-arbeitgeber"]),
        agenda.AgendaData("11:15", "12:00", "Der EU-Migrationsdienst stellt sich vor",
                          "Beratungsteam EU-Migrationsdienst", ids["eu-migrationsdienst"]),
        agenda.AgendaData("12:00", "13:00", "Mittagspause"),
        agenda.AgendaData("13:00", "14:30", "Fragerunde mit Landesverwaltungsamt und "
                          "Investitionsbank: neue Antragsformalitäten",
                          "Referat Zuwendungen (Landesverwaltungsamt); Förderberatung "
                          "(Investitionsbank Sachsen-Anhalt)", ids["protokoll-fragerunde"]),
        agenda.AgendaData("14:30", "14:45", "Leitfaden zu den neuen Antragsformalitäten",
                          "Referat Zuwendungen (Landesverwaltungsamt)",
                          ids["leitfaden-antragsformalitaeten"]),
        agenda.AgendaData("14:45", "15:00", "Abschluss und Ausblick auf die 14. Ideenwerkstatt",
                          "Leitung Fachstelle Interkulturelle Öffnung"),
    ]  # fmt: skip
