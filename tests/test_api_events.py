"""Series and events through /api/v1: lists, filters, paging, programme, writes, ZIP, handout."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from api_helpers import assert_error, bearer, token_for

from kb.api import schemas_events as schemas
from kb.models import Event
from kb.services import agenda, events
from kb.services.access import SYSTEM

TODAY = "2026-11-25"


@pytest.fixture
def network(app, kb, add_user, make_item, set_item):
    """A series with a past public, a coming public and an internal workshop; talks in the
    coming one (public, internal, draft), its programme linking the public and internal talk."""
    app.config["KB_TODAY"] = kb.config["KB_TODAY"] = TODAY
    series = events.create_series(kb, events.SeriesData("IKOE-Ideenwerkstatt"), SYSTEM)

    def event(title, day, number=None, access="public", district=None, in_series=True):
        data = events.EventData(
            title, day, series_slug=series if in_series else None, number=number,
            access=access, host_district_ags=district, city="Halle (Saale)",
        )  # fmt: skip
        return events.create_event(kb, data, SYSTEM)

    slugs = {
        "past": event("12. Ideenwerkstatt", dt.date(2025, 3, 14), 12, district="15002"),
        "next": event("13. Ideenwerkstatt", dt.date(2026, 12, 3), 13, district="15085"),
        "internal": event("Netzwerkrunde intern", dt.date(2026, 5, 4), 14, access="internal"),
        "loose": event("Fachtag Arbeitsmarkt", dt.date(2026, 11, 24), in_series=False),
    }
    items = {
        "public": make_item("Folie über Arbeitgeber", title="Impuls Arbeitgeber"),
        "internal": make_item("Interne Zahlen", title="Interne Auswertung"),
        "draft": make_item("Noch nicht fertig", title="Entwurf Vortrag"),
    }
    with kb.db.reading() as session:
        next_id = session.query(Event.id).filter_by(slug=slugs["next"]).scalar()
    states = {"public": ("published", "public"), "internal": ("published", "internal"),
              "draft": ("draft", "internal")}  # fmt: skip
    for key, (state, access) in states.items():
        set_item(items[key], state=state, access=access, event_id=next_id, kind="impulsvortrag")
    rows = [
        agenda.AgendaData("10:00", "10:30", "Impuls", "Referentin A", items["public"]),
        agenda.AgendaData("10:30", "", "Zahlen", "", items["internal"]),
        agenda.AgendaData("", "", "Austausch"),
    ]
    agenda.set_agenda(kb, slugs["next"], rows, SYSTEM)
    ids = {
        "red": add_user("red", "redaktion"),
        "leser": add_user("leser", "leser"),
    }
    tokens = {
        "red": bearer(token_for(kb, ids["red"], "write", "redaktion")),
        "red_read": bearer(token_for(kb, ids["red"], "read", "redaktion")),
        "leser": bearer(token_for(kb, ids["leser"], "write", "leser")),
    }
    return series, slugs, items, tokens


def _fits(schema, body):
    assert schema().validate(body) == {}, schema().validate(body)


def test_series_list_and_detail(client, network):
    series, slugs, _, tokens = network
    anon = client.get("/api/v1/series").get_json()
    _fits(schemas.SeriesList, anon)
    assert [(s["slug"], s["event_count"]) for s in anon["series"]] == [(series, 2)]
    member = client.get("/api/v1/series", headers=tokens["leser"]).get_json()
    assert member["series"][0]["event_count"] == 3  # the internal one too
    detail = client.get(f"/api/v1/series/{series}").get_json()
    _fits(schemas.SeriesDetail, detail)
    assert [e["slug"] for e in detail["events"]] == [slugs["next"], slugs["past"]]
    assert detail["links"]["events"].endswith(f"/api/v1/events?series={series}")
    assert_error(client.get("/api/v1/series/gibt-es-nicht"), 404, "not_found")


def test_event_list_filters_and_paging_links(client, network):
    series, slugs, _, tokens = network
    listed = client.get("/api/v1/events").get_json()
    _fits(schemas.EventList, listed)
    assert [e["slug"] for e in listed["events"]] == [slugs["next"], slugs["loose"], slugs["past"]]
    assert listed["total"] == 3  # the internal event is neither listed nor counted
    member = client.get("/api/v1/events", headers=tokens["leser"]).get_json()
    assert member["total"] == 4

    first = client.get("/api/v1/events?per_page=2").get_json()
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    last = client.get(first["links"]["last"]).get_json()
    assert [e["slug"] for e in last["events"]] == [slugs["past"]]
    assert last["links"]["next"] is None and "page=1" in last["links"]["prev"]

    def slugs_of(query, headers=None):
        body = client.get(f"/api/v1/events?{query}", headers=headers).get_json()
        return [e["slug"] for e in body["events"]]

    assert slugs_of("year=2025") == [slugs["past"]]
    assert slugs_of("district=15085") == [slugs["next"]]
    assert slugs_of(f"series={series}") == [slugs["next"], slugs["past"]]
    # Not yet over on 25.11.2026, soonest first; a filter travels in the links.
    assert slugs_of("upcoming=true") == [slugs["next"]]
    assert slugs_of("upcoming=false") == [slugs["loose"], slugs["past"]]
    assert slugs_of("upcoming=false", tokens["leser"]) == [
        slugs["loose"], slugs["internal"], slugs["past"]
    ]  # fmt: skip
    paged = client.get("/api/v1/events?upcoming=true&year=2026&per_page=1").get_json()
    assert "upcoming=True" in paged["links"]["self"] and "year=2026" in paged["links"]["self"]
    assert client.get(paged["links"]["self"]).get_json()["total"] == 1
    assert slugs_of("series=gibt-es-nicht") == []


def test_event_list_bad_input(client, network):
    for query in ("year=abc", "year=99999", "per_page=1000", "page=0", "upcoming=vielleicht",
                  "colour=blue"):  # fmt: skip
        body = assert_error(client.get(f"/api/v1/events?{query}"), 400, "invalid")
        assert body["details"], query


def test_event_detail_shows_what_the_viewer_may_see(client, network):
    _, slugs, items, tokens = network
    anon = client.get(f"/api/v1/events/{slugs['next']}").get_json()
    _fits(schemas.EventOut, anon)
    assert anon["upcoming"] is True and anon["series"] and anon["number"] == 13
    assert anon["host_district"] == "15085" and anon["host_district_name"] == "Harz"
    programme = anon["programme"]
    assert [e["title"] for e in programme] == ["Impuls", "Zahlen", "Austausch"]
    assert programme[0]["time"] == "10:00–10:30"
    assert programme[0]["speakers"] == [{"name": "Referentin A", "organisation": ""}]
    assert programme[0]["item"]["id"] == items["public"]
    file_url = programme[0]["item"]["files"][0]["url"]
    assert f"/api/v1/items/{items['public']}/versions/" in file_url
    assert programme[1]["item"] is None  # the internal talk: only the entry itself
    assert [i["id"] for i in anon["items"]] == [items["public"]]
    member = client.get(f"/api/v1/events/{slugs['next']}", headers=tokens["leser"]).get_json()
    assert member["programme"][1]["item"]["id"] == items["internal"]
    assert {i["id"] for i in member["items"]} == {items["public"], items["internal"]}
    editor = client.get(f"/api/v1/events/{slugs['next']}", headers=tokens["red"]).get_json()
    assert items["draft"] in {i["id"] for i in editor["items"]}
    hidden = assert_error(client.get(f"/api/v1/events/{slugs['internal']}"), 404, "not_found")
    assert "Veranstaltung" in hidden["message"]
    assert (
        client.get(f"/api/v1/events/{slugs['internal']}", headers=tokens["leser"]).status_code
        == 200
    )
    assert_error(client.get("/api/v1/events/gibt-es-nicht"), 404)


def test_event_etag_and_not_modified(client, network):
    _, slugs, _, tokens = network
    first = client.get(f"/api/v1/events/{slugs['next']}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(f"/api/v1/events/{slugs['next']}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    member = client.get(f"/api/v1/events/{slugs['next']}", headers={**tokens["leser"],
                        "If-None-Match": etag})  # fmt: skip
    assert member.status_code == 200  # a member sees more: another body, another tag
    listed = client.get("/api/v1/events")
    assert client.get("/api/v1/events", headers={"If-None-Match": listed.headers["ETag"]}
                      ).status_code == 304  # fmt: skip


def test_create_change_and_delete_an_event(client, network, kb):
    series, slugs, items, tokens = network
    red = tokens["red"]
    created = client.post(
        "/api/v1/events",
        json={"title": "14. Ideenwerkstatt", "starts_on": "2027-03-11", "series": series,
              "number": 15, "host_district": "15003", "city": "Magdeburg"},
        headers=red,
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    _fits(schemas.EventOut, body)
    slug = body["slug"]
    assert slug == "ikoe-ideenwerkstatt-15" and created.headers["Location"].endswith(slug)
    assert body["programme"] == [] and body["items"] == []

    patched = client.patch(f"/api/v1/events/{slug}", json={"venue": "Rathaus"}, headers=red)
    assert patched.status_code == 200
    assert patched.get_json()["venue"] == "Rathaus"
    assert patched.get_json()["city"] == "Magdeburg"  # fields not sent stay
    assert patched.get_json()["slug"] == slug
    again = client.patch(f"/api/v1/events/{slug}", json={"title": "Vierzehnte"}, headers=red)
    assert again.get_json()["title"] == "Vierzehnte" and again.get_json()["number"] == 15

    assert client.delete(f"/api/v1/events/{slug}", headers=red).status_code == 204
    assert_error(client.get(f"/api/v1/events/{slug}"), 404)


def test_deleting_an_event_with_materials_is_a_conflict(client, network, kb):
    _, slugs, items, tokens = network
    red = tokens["red"]
    url = f"/api/v1/events/{slugs['next']}"
    refused = assert_error(client.delete(url, headers=red), 409, "conflict")
    assert refused["message"].startswith("Die Veranstaltung hat noch 3 Materialien.")
    english = client.delete(url, headers={**red, "Accept-Language": "en"})
    assert_error(english, 409)
    assert english.get_json()["message"].startswith("The event still has 3 material(s).")
    assert client.get(url).status_code == 200  # nothing happened
    assert_error(client.delete(f"{url}?detach_materials=kaputt", headers=red), 400)
    assert client.delete(f"{url}?detach_materials=true", headers=red).status_code == 204
    assert_error(client.get(url), 404)
    item = client.get(f"/api/v1/items/{items['public']}", headers=red).get_json()
    assert item["event"] is None  # kept, without the event


def test_writes_need_redaktion_and_a_write_token(client, network):
    _, slugs, _, tokens = network
    url = f"/api/v1/events/{slugs['next']}"
    new = {"title": "X", "starts_on": "2027-01-01"}
    assert_error(client.post("/api/v1/events", json=new), 401, "unauthorized")
    assert_error(client.post("/api/v1/events", json=new, headers=tokens["leser"]), 403)
    read_only = assert_error(client.post("/api/v1/events", json=new, headers=tokens["red_read"]),
                             403, "forbidden")  # fmt: skip
    assert "nur lesen" in read_only["message"]
    for method in ("patch", "delete"):
        call = getattr(client, method)
        assert_error(call(url, json={"title": "X"}, headers=tokens["leser"]), 403)
        assert_error(call(url, json={"title": "X"}, headers=tokens["red_read"]), 403)
        assert_error(call(url, json={"title": "X"}), 401)
    assert_error(client.put(f"{url}/agenda", json={"entries": []}, headers=tokens["leser"]), 403)
    hidden = f"/api/v1/events/{slugs['internal']}"
    assert_error(client.patch(hidden, json={"title": "X"}), 404)  # hidden first, then 401


def test_event_bad_input(client, network, kb):
    series, slugs, _, tokens = network
    red = tokens["red"]
    url = f"/api/v1/events/{slugs['next']}"

    def post(body):
        return client.post("/api/v1/events", json=body, headers=red)

    body = assert_error(
        post({"title": "X", "starts_on": "2027-01-02", "ends_on": "2027-01-01"}), 400
    )
    assert body["message"] == "Das Ende liegt vor dem Beginn."
    assert "starts_on" in assert_error(post({"title": "X"}), 400, "invalid")["details"]
    assert "owner" in assert_error(post({"title": "X", "starts_on": "2027-01-01", "owner": 1}),
                                   400)["details"]  # fmt: skip
    assert_error(post({"title": "X", "starts_on": "1.1.2027"}), 400, "invalid")
    assert_error(post({"title": "X", "starts_on": "2027-01-01", "host_district": "99999"}), 400)
    assert_error(post({"title": "X", "starts_on": "2027-01-01", "series": "nix"}), 400)
    taken = post({"title": "X", "starts_on": "2027-01-01", "series": series, "number": 13})
    assert "schon die 13." in assert_error(taken, 400)["message"]
    assert_error(client.post("/api/v1/events", data="{kaputt", content_type="application/json",
                             headers=red), 400)  # fmt: skip
    assert_error(client.patch(url, json={"access": "geheim"}, headers=red), 400)
    assert_error(client.patch(url, json={"ends_on": "2020-01-01"}, headers=red), 400)
    with kb.db.reading() as session:
        assert session.query(Event).count() == 4  # nothing half-written
    assert client.get(url).get_json()["ends_on"] is None


def test_put_agenda_replaces_the_programme(client, network):
    _, slugs, items, tokens = network
    url = f"/api/v1/events/{slugs['next']}/agenda"
    entries = [
        {"starts_at": "9.05", "title": "Begrüßung", "speakers": ["Amt A", "Amt B"]},
        {"starts_at": "09:30", "ends_at": "10:00", "title": "Impuls", "item_id": items["public"],
         "note": "mit Fragen"},
    ]  # fmt: skip
    put = client.put(url, json={"entries": entries}, headers=tokens["red"])
    assert put.status_code == 200, put.get_json()
    programme = put.get_json()["programme"]
    assert [(e["time"], e["title"]) for e in programme] == [
        ("09:05", "Begrüßung"), ("09:30–10:00", "Impuls")
    ]  # fmt: skip
    assert [s["name"] for s in programme[0]["speakers"]] == ["Amt A", "Amt B"]
    assert programme[1]["item"]["id"] == items["public"] and programme[1]["note"] == "mit Fragen"
    bad_time = client.put(url, json={"entries": [{"starts_at": "25:00", "title": "X"}]},
                          headers=tokens["red"])  # fmt: skip
    assert "Zeile 1" in assert_error(bad_time, 400)["message"]
    missing = client.put(url, json={"entries": [{"title": "X", "item_id": 999999}]},
                         headers=tokens["red"])  # fmt: skip
    assert "999999" in assert_error(missing, 400)["message"]
    too_many = [{"title": f"P{n}"} for n in range(61)]
    assert_error(client.put(url, json={"entries": too_many}, headers=tokens["red"]), 400)
    assert_error(client.put(url, json={}, headers=tokens["red"]), 400, "invalid")
    assert len(client.get(f"/api/v1/events/{slugs['next']}").get_json()["programme"]) == 2
    empty = client.put(url, json={"entries": []}, headers=tokens["red"])
    assert empty.get_json()["programme"] == []
    hidden = f"/api/v1/events/{slugs['internal']}/agenda"
    assert_error(client.put(hidden, json={"entries": []}), 404)


def test_materials_zip_holds_only_what_the_viewer_may_see(client, network):
    _, slugs, _, tokens = network
    with client.get(f"/api/v1/events/{slugs['next']}/materials.zip") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert names[0] == "Inhaltsverzeichnis.txt"
    assert len(names) == 2 and "Impuls Arbeitgeber" in names[1]
    with client.get(f"/api/v1/events/{slugs['next']}/materials.zip",
                    headers=tokens["leser"]) as response:  # fmt: skip
        assert len(zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()) == 3
    assert_error(client.get(f"/api/v1/events/{slugs['internal']}/materials.zip"), 404)


def test_event_handout(client, network):
    _, slugs, _, tokens = network
    response = client.get(f"/api/v1/events/{slugs['past']}/handout.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "Veranstaltung_" in response.headers["Content-Disposition"]
    etag = response.headers["ETag"]
    again = client.get(f"/api/v1/events/{slugs['past']}/handout.pdf",
                       headers={"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304
    assert_error(client.get(f"/api/v1/events/{slugs['internal']}/handout.pdf"), 404)


def test_openapi_document_describes_the_event_operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/events"]) == {"get", "post"}
    assert set(paths["/api/v1/events/{slug}"]) == {"get", "patch", "delete"}
    assert "put" in paths["/api/v1/events/{slug}/agenda"]
    for path in ("/api/v1/series", "/api/v1/series/{slug}", "/api/v1/events/{slug}/materials.zip",
                 "/api/v1/events/{slug}/handout.pdf"):  # fmt: skip
        assert "get" in paths[path], path
    delete = paths["/api/v1/events/{slug}"]["delete"]
    assert "409" in delete["responses"]
    slug = next(p for p in delete["parameters"] if p["in"] == "path")
    assert slug["schema"]["type"] == "string"
    names = {p["name"] for p in delete["parameters"]}
    assert "detach_materials" in names
    assert {"EventOut", "EventList", "SeriesList"} <= set(spec["components"]["schemas"])
