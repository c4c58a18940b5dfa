"""Workshop series, events, their programme, the event page, the materials ZIP and ``kb events``."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from conftest import login
from sqlalchemy import func, select

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import (
    AgendaEntry,
    AuditEvent,
    Deadline,
    Event,
    EventParticipant,
    IndexLog,
    Item,
    agenda_speakers,
)
from kb.services import agenda, event_materials, event_pages, events, jobs
from kb.services.access import ANONYMOUS, SYSTEM, Viewer
from kb.services.agenda import AgendaData
from kb.services.events import EventData, SeriesData
from kb.services.items import ItemMeta, UploadFile, upload_files

DAY = dt.date(2025, 3, 14)
LESER = Viewer(user_id=None, roles=("leser",))


def _event(kb, **changes) -> str:
    data = {"title": "13. IKOE-Ideenwerkstatt", "starts_on": DAY, "city": "Halle (Saale)"}
    return events.create_event(kb, EventData(**{**data, **changes}), SYSTEM)


def _count(kb, model) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def _upload(kb, name: str, content: bytes, **meta) -> int:
    outcome = upload_files(kb, [UploadFile(name, io.BytesIO(content))], ItemMeta(**meta), SYSTEM)
    jobs.run_until_idle(kb)
    assert outcome[0].item_id is not None, outcome[0].messages
    return outcome[0].item_id


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def workshop(kb, make_pptx):
    """A numbered workshop in Halle with a talk (PPTX), minutes, a photo and a programme."""
    series = events.create_series(kb, SeriesData("IKOE-Ideenwerkstatt"), SYSTEM)
    place = {"venue": "Stadthaus, Marktplatz 2", "description": "Arbeitsmarkt und Arbeitgeber."}
    slug = _event(kb, series_slug=series, number=13, host_district_ags="15002", **place)
    deck = make_pptx(["Kooperation mit Arbeitgebern\nWarum", "Patenschaftsmodell\nWie es geht"])
    talk = _upload(kb, "impuls.pptx", deck, title="Arbeitgeber gewinnen", kind="impulsvortrag",
                   event_slug=slug, summary="Wie Verwaltungen Arbeitgeber einbinden.",
                   speakers="Fachstelle IKÖ")  # fmt: skip
    minutes = _upload(kb, "protokoll.txt", b"Protokoll der Fragerunde", title="Protokoll",
                      kind="protokoll", event_slug=slug)  # fmt: skip
    photo = _upload(kb, "foto.png", _png(), title="Gruppenfoto im Stadthaus", event_slug=slug)
    agenda.set_agenda(kb, slug, [
        AgendaData("10:00", "10:15", "Begrüßung", "Anna Beispiel; Ben Muster"),
        AgendaData("10:15", "11:00", "Impuls: Arbeitgeber gewinnen", "Fachstelle IKÖ", talk),
    ], SYSTEM)  # fmt: skip
    return {"slug": slug, "series": series, "talk": talk, "minutes": minutes, "photo": photo}


# -- service: create, validate, update ------------------------------------------------------


def test_create_event_in_a_series_gets_a_stable_slug_and_shows_on_its_page(kb, workshop):
    assert workshop["slug"] == "ikoe-ideenwerkstatt-13"
    page = event_pages.event_page(kb, workshop["slug"], ANONYMOUS, DAY)
    assert (page.series_title, page.number, page.starts_on) == ("IKOE-Ideenwerkstatt", 13, DAY)
    assert (page.host_district_ags, page.host_district_name) == ("15002", "Halle (Saale)")
    assert page.venue == "Stadthaus, Marktplatz 2" and not page.upcoming
    events.update_event(kb, workshop["slug"], EventData("Neuer Titel", DAY,
                        series_slug=workshop["series"], number=13), SYSTEM)  # fmt: skip
    assert event_pages.event_page(kb, workshop["slug"], ANONYMOUS, DAY).title == "Neuer Titel"


def test_a_new_series_can_be_named_on_the_event_itself(kb):
    slug = _event(kb, new_series_title="Fachtag Ehrenamt", number=1)
    assert slug == "fachtag-ehrenamt-1"
    assert events.all_series(kb) == [("fachtag-ehrenamt", "Fachtag Ehrenamt")]
    with pytest.raises(ValidationError, match="Eine Reihe „Fachtag Ehrenamt“ gibt es schon"):
        events.create_series(kb, SeriesData("fachtag ehrenamt"), SYSTEM)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": DAY - dt.timedelta(days=1)}, "Das Ende liegt vor dem Beginn."),
        ({"host_district_ags": "99999"}, "Unbekannter Gebietsschlüssel (AGS): 99999."),
        ({"title": "   "}, "Bitte geben Sie der Veranstaltung einen Titel."),
        ({"starts_on": None}, "Bitte geben Sie das Datum des Beginns an."),
        ({"series_slug": "gibt-es-nicht"}, "Die Reihe „gibt-es-nicht“ gibt es nicht."),
        ({"number": 3}, "Eine Nummer gibt es nur innerhalb einer Reihe."),
        ({"number": 0, "new_series_title": "R"}, "ganze Zahl von 1 bis 9999"),
        ({"access": "geheim"}, "Unbekannte Zugriffsstufe."),
    ],
)
def test_bad_event_input_gets_a_clear_german_message_and_stores_nothing(kb, changes, message):
    with pytest.raises(ValidationError) as caught:
        _event(kb, **changes)
    assert message in caught.value.message_de
    assert _count(kb, Event) == 0


def test_a_number_is_unique_within_its_series_but_not_across_series(kb):
    series = events.create_series(kb, SeriesData("IKOE-Ideenwerkstatt"), SYSTEM)
    first = _event(kb, series_slug=series, number=13)
    with pytest.raises(ValidationError, match="gibt es schon die 13. Veranstaltung"):
        _event(kb, series_slug=series, number=13, title="Doppelt")
    _event(kb, new_series_title="Andere Reihe", number=13)  # another series: fine
    second = _event(kb, series_slug=series, number=14, title="Vierzehn")
    with pytest.raises(ValidationError, match="gibt es schon die 13. Veranstaltung"):
        events.update_event(kb, second, EventData("Vierzehn", DAY, series_slug=series,
                            number=13), SYSTEM)  # fmt: skip
    # An event keeps its own number when saved again.
    events.update_event(kb, first, EventData("X", DAY, series_slug=series, number=13), SYSTEM)


def test_only_editors_change_events(kb, workshop):
    for who in (ANONYMOUS, LESER, Viewer(user_id=None, roles=("autor",))):
        with pytest.raises(Forbidden):
            events.create_event(kb, EventData("T", DAY), who)
        with pytest.raises(Forbidden):
            events.update_event(kb, workshop["slug"], EventData("T", DAY), who)
        with pytest.raises(Forbidden):
            events.delete_event(kb, workshop["slug"], who, detach_materials=True)
        with pytest.raises(Forbidden):
            agenda.set_agenda(kb, workshop["slug"], [], who)
        with pytest.raises(Forbidden):
            events.create_series(kb, SeriesData("S"), who)


def _log_since(kb, after: int) -> list[tuple[str, int]]:
    with kb.db.reading() as session:
        rows = session.execute(
            select(IndexLog.object_type, IndexLog.object_id).where(IndexLog.id > after)
        )
        return sorted((t, i) for t, i in rows)


def _last_log(kb) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.max(IndexLog.id))) or 0


def test_changing_indexed_fields_reindexes_the_event_and_all_its_items(kb, workshop):
    with kb.db.reading() as session:
        event_id = session.scalar(select(Event.id).where(Event.slug == workshop["slug"]))
    items = [("item", workshop[k]) for k in ("talk", "minutes", "photo")]
    before = _last_log(kb)
    data = EventData("Umbenannt", DAY, series_slug=workshop["series"], number=13,
                     host_district_ags="15002", venue="Anderer Saal")  # fmt: skip
    events.update_event(kb, workshop["slug"], data, SYSTEM)
    assert _log_since(kb, before) == sorted([("event", event_id), *items])
    before = _last_log(kb)
    data.venue = "Noch ein Saal"  # not in the items' documents: only the event
    events.update_event(kb, workshop["slug"], data, SYSTEM)
    assert _log_since(kb, before) == [("event", event_id)]
    before = _last_log(kb)
    events.update_series(kb, workshop["series"], SeriesData("IKOE-Werkstatt"), SYSTEM)
    assert _log_since(kb, before) == sorted([("event", event_id), *items])


# -- service: delete ------------------------------------------------------------------------


def test_deleting_an_event_with_materials_is_refused_with_their_number(kb, workshop):
    with pytest.raises(ValidationError) as caught:
        events.delete_event(kb, workshop["slug"], SYSTEM)
    assert "Die Veranstaltung hat noch 3 Materialien." in caught.value.message_de
    assert _count(kb, Event) == 1 and _count(kb, AgendaEntry) == 2


def test_detaching_deletes_event_programme_deadlines_and_group_in_one_go(
    kb, workshop, add_user, set_item
):
    from kb.services.accounts import set_event_groups

    set_item(workshop["talk"], participants_only=True, access="public")
    add_user("teilnehmerin", "leser")
    set_event_groups(kb, "teilnehmerin", [workshop["slug"]], SYSTEM)
    with kb.db.writing() as session:
        event_id = session.scalar(select(Event.id).where(Event.slug == workshop["slug"]))
        session.add(Deadline(event_id=event_id, due_on=DAY, title="Anmeldung"))
    preview = events.delete_preview(kb, workshop["slug"], SYSTEM)
    assert (preview.materials, preview.participants_only, preview.participants) == (3, 1, 1)
    before = _last_log(kb)
    assert events.delete_event(kb, workshop["slug"], SYSTEM, detach_materials=True) == 3
    for model in (Event, AgendaEntry, Deadline, EventParticipant):
        assert _count(kb, model) == 0, model
    with kb.db.reading() as session:
        talk = session.get(Item, workshop["talk"])
        assert (talk.event_id, talk.participants_only, talk.access) == (None, False, "internal")
        assert talk.state == "draft"  # nobody but owner and Redaktion until decided anew
        minutes = session.get(Item, workshop["minutes"])
        assert (minutes.event_id, minutes.access) == (None, "public")  # others keep access
    logged = _log_since(kb, before)
    assert {("item", workshop[k]) for k in ("talk", "minutes", "photo")} <= set(logged)
    assert ("event", event_id) in logged
    with pytest.raises(NotFound):
        event_pages.event_page(kb, workshop["slug"], SYSTEM, DAY)


def test_an_event_without_materials_is_deleted_without_asking(kb):
    slug = _event(kb)
    assert events.delete_event(kb, slug, SYSTEM) == 0
    assert _count(kb, Event) == 0


# -- service: programme ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (AgendaData("25:00", "", "T"), "Zeile 1: „25:00“ ist keine Uhrzeit."),
        (AgendaData("10:3x", "", "T"), "ist keine Uhrzeit. Bitte im Format HH:MM"),
        (AgendaData("11:00", "10:30", "T"), "Zeile 1: Das Ende liegt vor dem Beginn."),
        (AgendaData("", "10:30", "T"), "Bitte geben Sie zum Ende auch den Beginn an."),
        (AgendaData("10:00", "", " "), "Zeile 1: Bitte geben Sie einen Titel an."),
        (AgendaData("10:00", "", "T", item_id=999999), "Eintrag Nr. 999999 gibt es nicht."),
    ],
)
def test_bad_programme_rows_are_refused_and_the_old_programme_stays(kb, workshop, row, message):
    with pytest.raises(ValidationError) as caught:
        agenda.set_agenda(kb, workshop["slug"], [row], SYSTEM)
    assert message in caught.value.message_de
    assert _count(kb, AgendaEntry) == 2


def test_programme_is_replaced_in_order_with_speakers_in_the_order_named(kb, workshop):
    agenda.set_agenda(kb, workshop["slug"], [
        AgendaData("9.05", "9:30", "Ankommen"),
        AgendaData("", "", "Austausch", "Zora Zett, Anna Beispiel, Mia Mittel"),
    ], SYSTEM)  # fmt: skip
    rows = agenda.agenda_rows(kb, workshop["slug"], SYSTEM)
    assert [(r.starts_at, r.ends_at, r.title) for r in rows] == [
        ("09:05", "09:30", "Ankommen"), ("", "", "Austausch")]  # fmt: skip
    assert rows[1].speakers == "Zora Zett, Anna Beispiel, Mia Mittel"
    with kb.db.reading() as session:
        positions = session.execute(select(agenda_speakers.c.position)).scalars().all()
    assert sorted(positions) == [0, 1, 2]


# -- service: event page and timeline -------------------------------------------------------


def test_event_page_shows_talk_slides_summary_materials_and_photos(kb, workshop):
    page = event_pages.event_page(kb, workshop["slug"], ANONYMOUS, DAY)
    welcome, impulse = page.programme
    assert welcome.time == "10:00–10:15" and welcome.item is None
    assert [s.name for s in welcome.speakers] == ["Anna Beispiel", "Ben Muster"]
    assert impulse.item is not None and impulse.item.kind_label == "Impulsvortrag"
    assert impulse.item.summary == "Wie Verwaltungen Arbeitgeber einbinden."
    (deck,) = impulse.item.files
    assert (deck.filename, deck.page_count, deck.count_label) == ("impuls.pptx", 2, "2 Folien")
    assert [(o.label, o.text) for o in deck.outline] == [
        ("Folie 1", "Kooperation mit Arbeitgebern"), ("Folie 2", "Patenschaftsmodell")]  # fmt: skip
    assert [m.title for m in page.materials] == ["Protokoll"]  # not the talk, not the photo
    assert [(p.item_id, p.title) for p in page.photos] == [
        (workshop["photo"], "Gruppenfoto im Stadthaus")
    ]


def test_items_the_viewer_may_not_see_are_left_out_entirely(kb, workshop, set_item):
    set_item(workshop["talk"], access="internal")
    set_item(workshop["minutes"], state="draft")
    page = event_pages.event_page(kb, workshop["slug"], ANONYMOUS, DAY)
    assert page.programme[1].item is None  # the entry stays, its talk is not shown
    assert page.materials == [] and len(page.photos) == 1
    member = event_pages.event_page(kb, workshop["slug"], Viewer(1, ("leser",)), DAY)
    assert member.programme[1].item is not None and member.materials == []


def test_internal_events_are_hidden_from_the_public(kb):
    slug = _event(kb, access="internal")
    with pytest.raises(NotFound):
        event_pages.event_page(kb, slug, ANONYMOUS, DAY)
    assert event_pages.event_page(kb, slug, Viewer(1, ("leser",)), DAY).access == "internal"
    assert [s.years for s in event_pages.timeline(kb, ANONYMOUS)] == []


def test_timeline_groups_by_series_and_year_newest_first(kb):
    series = events.create_series(kb, SeriesData("IKOE-Ideenwerkstatt"), SYSTEM)
    for number, year in ((1, 2016), (2, 2016), (13, 2025)):
        _event(kb, series_slug=series, number=number, starts_on=dt.date(year, 5, number),
               title=f"Werkstatt {number}")  # fmt: skip
    _event(kb, title="Einzeltermin", starts_on=dt.date(2020, 1, 1))
    first, loose = event_pages.timeline(kb, ANONYMOUS)
    assert [(g.year, [e.number for e in g.events]) for g in first.years] == [
        (2025, [13]), (2016, [2, 1])]  # fmt: skip
    assert (loose.slug, loose.title) == (None, "Weitere Veranstaltungen")
    assert event_pages.series_page(kb, series, ANONYMOUS).years == first.years


# -- service: the ZIP -----------------------------------------------------------------------


def _zip(kb, slug, viewer):
    name, path = event_materials.materials_zip(kb, slug, viewer)
    with zipfile.ZipFile(path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    path.unlink()
    return name, contents


def test_zip_holds_every_visible_file_in_programme_order_with_a_table_of_contents(kb, workshop):
    name, contents = _zip(kb, workshop["slug"], ANONYMOUS)
    assert name == "13. IKOE-Ideenwerkstatt - Materialien.zip"
    assert list(contents) == [
        "Inhaltsverzeichnis.txt",
        "01 Impulsvortrag - Arbeitgeber gewinnen.pptx",
        "02 Sonstiges - Gruppenfoto im Stadthaus.png",
        "03 Protokoll Dokumentation - Protokoll.txt",
    ]
    toc = contents["Inhaltsverzeichnis.txt"].decode("utf-8-sig")
    assert "13. IKOE-Ideenwerkstatt" in toc and "Datum: 14.03.2025" in toc
    assert "Ort: Stadthaus, Marktplatz 2, Halle (Saale)" in toc
    assert "01  Arbeitgeber gewinnen\r\n    Art: Impulsvortrag\r\n" in toc
    assert "Vortragende: Fachstelle IKÖ" in toc and "Originaldatei: impuls.pptx" in toc
    assert contents["03 Protokoll Dokumentation - Protokoll.txt"] == b"Protokoll der Fragerunde"


def test_zip_names_are_safe_and_unique(kb):
    slug = _event(kb, title="../../etc/passwd")
    for _ in range(2):
        _upload(kb, "..\\evil.TXT", f"x{_}".encode(), title="../../Böse:Datei?", event_slug=slug)
    _, contents = _zip(kb, slug, ANONYMOUS)
    names = [n for n in contents if n != "Inhaltsverzeichnis.txt"]
    assert names == ["01 Sonstiges - Böse Datei.txt", "02 Sonstiges - Böse Datei.txt"]
    assert event_materials.entry_name(1, "X", "a", "b.txt", {"01 x - a.txt"}) == "01 X - a (2).txt"
    assert event_materials.safe_component("\x00..//..") == "Datei"
    for n in contents:
        assert "/" not in n and "\\" not in n and not n.startswith(".")


def test_zip_leaves_out_what_the_viewer_may_not_see_and_audits_internal_files(
    kb, workshop, set_item, add_user
):
    set_item(workshop["talk"], access="internal")
    _, anon = _zip(kb, workshop["slug"], ANONYMOUS)
    assert not any("Arbeitgeber" in n for n in anon)
    assert b"Arbeitgeber gewinnen" not in anon["Inhaltsverzeichnis.txt"]
    with kb.db.reading() as session:
        before = session.scalar(select(func.count()).where(AuditEvent.action == "download"))
    _, member = _zip(kb, workshop["slug"], Viewer(add_user("leserin"), ("leser",)))
    assert "01 Impulsvortrag - Arbeitgeber gewinnen.pptx" in member
    with kb.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()
    assert len(rows) == before + 1 and rows[-1].item_id == workshop["talk"]
    assert rows[-1].detail.startswith("ZIP ikoe-ideenwerkstatt-13: 01 Impulsvortrag")
    assert os.listdir(Path(kb.config["KB_INSTANCE_DIR"]) / "tmp") == []  # nothing left over


# -- web ------------------------------------------------------------------------------------


@pytest.fixture
def editor(client, add_user):
    add_user("red", "redaktion")
    login(client, "red")
    return client


def test_event_page_renders_header_programme_materials_photos_and_zip_link(client, workshop):
    html = client.get(f"/events/{workshop['slug']}").get_data(as_text=True)
    assert "<h1>13. IKOE-Ideenwerkstatt</h1>" in html
    assert "13. Veranstaltung der Reihe" in html and "14.03.2025" in html
    assert '<a href="/districts/15002">Halle (Saale)</a>' in html
    assert "Stadthaus, Marktplatz 2, Halle (Saale)" in html
    assert "<time>10:15–11:00</time>" in html and "Anna Beispiel, Ben Muster" in html
    assert "Folie 2</a>: Patenschaftsmodell" in html
    assert 'alt="Gruppenfoto im Stadthaus"' in html
    assert f"/events/{workshop['slug']}/materials.zip" in html
    assert "Veranstaltung bearbeiten" not in html  # open mode visitors do not edit events


def test_zip_download_streams_and_removes_the_temporary_file(client, kb, workshop):
    with client.get(f"/events/{workshop['slug']}/materials.zip") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        assert "Materialien.zip" in response.headers["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            assert "Inhaltsverzeichnis.txt" in archive.namelist()
    assert os.listdir(Path(kb.config["KB_INSTANCE_DIR"]) / "tmp") == []


def test_timeline_and_series_pages(client, workshop, editor):
    html = editor.get("/events").get_data(as_text=True)
    assert "Neue Veranstaltung" in html and "<h3>2025</h3>" in html
    assert (
        'href="/events/ikoe-ideenwerkstatt-13">13. IKOE-Ideenwerkstatt<' in html
    )  # no doubled number
    assert "Veranstaltungen</a>" in client.get("/").get_data(as_text=True)  # the nav link
    series = editor.get(f"/series/{workshop['series']}").get_data(as_text=True)
    assert "<h1>IKOE-Ideenwerkstatt</h1>" in series and "ikoe-ideenwerkstatt-13" in series
    assert editor.get("/series/gibt-es-nicht").status_code == 404


def test_item_page_links_to_its_event(client, workshop):
    html = client.get(f"/items/{workshop['talk']}").get_data(as_text=True)
    assert '<dt>Teil von</dt><dd><a href="/events/ikoe-ideenwerkstatt-13">' in html


def test_editor_creates_event_with_new_series_and_gets_german_errors(editor):
    form = {"title": "Fachtag", "new_series": "Fachtage", "number": "2", "starts_on": "14.03.2025",
            "ends_on": "2025-03-15", "host_district": "15085", "access": "public"}  # fmt: skip
    response = editor.post("/events/new", data=form)
    assert response.status_code == 302 and response.location.endswith("/events/fachtage-2")
    html = editor.get("/events/fachtage-2").get_data(as_text=True)
    assert "14.03.2025 – 15.03.2025" in html and "Harz" in html
    for bad, message in (
        ({"ends_on": "2025-03-01", "new_series": ""}, "Das Ende liegt vor dem Beginn."),
        ({"starts_on": "31.02.2025"}, "Beginn: „31.02.2025“ ist kein Datum."),
        ({"number": "zwei", "new_series": ""}, "muss eine ganze Zahl sein"),
        ({"host_district": "15999", "new_series": ""}, "Unbekannter Gebietsschlüssel"),
    ):
        response = editor.post("/events/new", data={**form, "series": "fachtage", **bad})
        assert response.status_code == 400, bad
        assert message in response.get_data(as_text=True), bad
    response = editor.post("/events/new", data={**form, "new_series": "", "series": "fachtage"})
    assert "gibt es schon die 2. Veranstaltung" in response.get_data(as_text=True)


def test_edit_form_is_prefilled_and_saves(editor, workshop):
    html = editor.get(f"/events/{workshop['slug']}/edit").get_data(as_text=True)
    assert 'value="2025-03-14"' in html and '<option value="15002" selected>' in html
    form = {"title": "13. Werkstatt", "series": workshop["series"], "number": "13",
            "starts_on": "2025-03-14", "city": "Halle", "access": "public"}  # fmt: skip
    assert editor.post(f"/events/{workshop['slug']}/edit", data=form).status_code == 302
    assert "<h1>13. Werkstatt</h1>" in editor.get(f"/events/{workshop['slug']}").get_data(True)


def test_agenda_form_adds_reorders_and_removes_rows_without_javascript(editor, kb, workshop):
    html = editor.get(f"/events/{workshop['slug']}/agenda").get_data(as_text=True)
    assert 'name="rows" value="7"' in html  # 2 entries + 5 empty rows
    assert f'<option value="{workshop["talk"]}" selected>' in html
    form = {"rows": "7", "title_0": "Begrüßung", "starts_at_0": "10:00", "remove_0": "1",
            "title_1": "Impuls", "starts_at_1": "10:15", "item_1": str(workshop["talk"]),
            "position_1": "2", "title_2": "Mittag", "starts_at_2": "12:00", "position_2": "1",
            "speakers_2": "Küche"}  # fmt: skip
    response = editor.post(f"/events/{workshop['slug']}/agenda", data=form)
    assert response.status_code == 302
    rows = agenda.agenda_rows(kb, workshop["slug"], SYSTEM)
    assert [(r.title, r.item_id) for r in rows] == [("Mittag", None), ("Impuls", workshop["talk"])]
    bad = editor.post(f"/events/{workshop['slug']}/agenda",
                      data={"rows": "1", "title_0": "X", "starts_at_0": "zehn"})  # fmt: skip
    assert bad.status_code == 400 and "„zehn“ ist keine Uhrzeit" in bad.get_data(as_text=True)


def test_delete_asks_first_then_detaches_on_request(editor, kb, workshop):
    page = editor.get(f"/events/{workshop['slug']}/delete").get_data(as_text=True)
    assert "3 Materialien" in page and 'name="detach"' in page
    refused = editor.post(f"/events/{workshop['slug']}/delete", data={})
    assert refused.status_code == 400
    assert "Die Veranstaltung hat noch 3 Materialien." in refused.get_data(as_text=True)
    done = editor.post(f"/events/{workshop['slug']}/delete", data={"detach": "1"})
    assert done.status_code == 302 and done.location.endswith("/events")
    assert editor.get(f"/events/{workshop['slug']}").status_code == 404
    assert editor.get(f"/items/{workshop['talk']}").status_code == 200


def test_internal_event_is_404_for_the_public_and_shown_to_members(client, kb, add_user):
    slug = _event(kb, access="internal", title="Interne Klausur")
    add_user("leserin", "leser")
    assert client.get(f"/events/{slug}").status_code == 404
    assert client.get(f"/events/{slug}/materials.zip").status_code == 404
    assert "Interne Klausur" not in client.get("/events").get_data(as_text=True)
    login(client, "leserin")
    assert "Interne Veranstaltung" in client.get(f"/events/{slug}").get_data(as_text=True)
    assert client.get(f"/events/{slug}/edit").status_code == 403


# -- CLI ------------------------------------------------------------------------------------


def test_cli_adds_and_lists_events(runner):
    add = ["events", "add", "--series"]
    result = runner.invoke(args=[*add, "IKOE-Ideenwerkstatt", "--title", "13. Werkstatt",
                                 "--number", "13", "--starts", "2025-03-14",
                                 "--city", "Halle (Saale)", "--district", "15002"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Veranstaltung angelegt: ikoe-ideenwerkstatt-13" in result.output
    again = runner.invoke(args=[*add, "ikoe-ideenwerkstatt", "--title", "14.",
                                "--number", "14", "--starts", "2026-03-14"])  # fmt: skip
    assert again.exit_code == 0, again.output
    listed = json.loads(runner.invoke(args=["events", "list", "--json"]).output)
    assert [(e["slug"], e["series"], e["host_district"]) for e in listed] == [
        ("ikoe-ideenwerkstatt-14", "ikoe-ideenwerkstatt", None),
        ("ikoe-ideenwerkstatt-13", "ikoe-ideenwerkstatt", "Halle (Saale)"),
    ]
    text = runner.invoke(args=["events", "list"]).output
    assert "ikoe-ideenwerkstatt-13: 13. Werkstatt (2025-03-14, Halle (Saale))" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--starts", "2025-03-14", "--ends", "2025-03-01"], "Das Ende liegt vor dem Beginn."),
        (["--starts", "14.03.2025"], "ist kein Datum (JJJJ-MM-TT)"),
        (["--starts", "2025-03-14", "--district", "1"], "Unbekannter Gebietsschlüssel"),
    ],
)
def test_cli_bad_input_is_one_german_line(runner, extra, message):
    result = runner.invoke(args=["events", "add", "--title", "T", *extra])
    assert result.exit_code == 1 and message in result.output


def test_event_deadlines_are_set_by_editors_and_shown_with_the_event(client, kb):
    from kb.errors import Forbidden, ValidationError
    from kb.services.access import Viewer
    from kb.services.deadlines import DeadlineInput, set_event_deadlines

    kb.config["KB_TODAY"] = "2026-11-25"
    slug = events.create_event(
        kb, events.EventData("Werkstatt Stendal", dt.date(2027, 1, 20)), SYSTEM
    )
    rows = [DeadlineInput("Anmeldeschluss", "06.01.2027", "per Formular")]
    with pytest.raises(Forbidden):
        set_event_deadlines(kb, slug, rows, Viewer(user_id=5, roles=("autor",)))
    with pytest.raises(ValidationError):
        set_event_deadlines(kb, slug, [DeadlineInput("Anmeldeschluss", "32.01.2027")], SYSTEM)
    set_event_deadlines(kb, slug, rows, SYSTEM)
    page = client.get("/deadlines").get_data(as_text=True)
    assert "Anmeldeschluss" in page and "06.01.2027" in page and "Werkstatt Stendal" in page
    set_event_deadlines(kb, slug, [], SYSTEM)  # replaced by nothing
    assert "Anmeldeschluss" not in client.get("/deadlines").get_data(as_text=True)


def test_series_and_event_deadline_forms(editor, kb, workshop):
    series_slug = kb_series_slug(kb, workshop["slug"])
    page = editor.get(f"/series/{series_slug}/edit").get_data(as_text=True)
    assert 'name="title"' in page
    bad = editor.post(f"/series/{series_slug}/edit", data={"title": "", "description": ""})
    assert bad.status_code == 400 and "error" in bad.get_data(as_text=True)
    ok = editor.post(f"/series/{series_slug}/edit", data={"title": "Werkstattreihe neu"})
    assert ok.status_code == 302
    assert "Werkstattreihe neu" in editor.get(f"/series/{series_slug}").get_data(as_text=True)
    url = f"/events/{workshop['slug']}/deadlines"
    assert 'name="due_on"' in editor.get(url).get_data(as_text=True)
    wrong = editor.post(url, data={"title": ["Anmeldung"], "due_on": ["31.02.2027"], "note": [""]})
    assert wrong.status_code == 400
    saved = editor.post(url, data={"title": ["Anmeldung", ""], "due_on": ["15.01.2027", ""],
                                   "note": ["online", ""]})  # fmt: skip
    assert saved.status_code == 302
    assert 'value="Anmeldung"' in editor.get(url).get_data(as_text=True)


def kb_series_slug(kb, event_slug: str) -> str:
    from kb.models import Event

    with kb.db.reading() as session:
        return session.query(Event).filter_by(slug=event_slug).one().series.slug
