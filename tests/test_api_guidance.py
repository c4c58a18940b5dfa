"""Guidance, deadlines and Q&A through /api/v1: validity as of kb.today(), editions the
viewer may see, the guidance fields, "what changed", handout, and Q&A writes."""

from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import assert_error, bearer, token_for

from kb.api import schemas_guidance as schemas
from kb.services import deadlines, events, qa
from kb.services.access import SYSTEM
from kb.services.deadlines import DeadlineInput

TODAY = "2026-11-25"
D = dt.date


@pytest.fixture
def sheets(app, kb, add_user, make_item, set_item):
    """Three editions (2025 superseded, 2026 current, 2027 upcoming and internal), an expired
    sheet, an internal current one, a draft owned by an Autor, and a plain protocol."""
    app.config["KB_TODAY"] = kb.config["KB_TODAY"] = TODAY

    def sheet(text, title, **values):
        item_id = make_item(text, title=title, kind="leitfaden")
        set_item(item_id, **{"state": "published", "access": "public", **values})
        return item_id

    ids = {"old": sheet("Belegliste\nVerwendungsnachweis", "Merkblatt 2025",
                        valid_from=D(2025, 1, 1))}  # fmt: skip
    ids["current"] = sheet(
        "Belegliste\nVerwendungsnachweis\nZwischenbericht bis 30.06.",
        "Merkblatt 2026",
        valid_from=D(2026, 1, 1),
        supersedes_id=ids["old"],
    )
    ids["next"] = sheet("Neu ab 2027", "Merkblatt 2027", access="internal",
                        valid_from=D(2027, 1, 1), supersedes_id=ids["current"])  # fmt: skip
    ids["expired"] = sheet("Alt", "Hinweise 2024", valid_until=D(2024, 12, 31))
    ids["internal"] = sheet("Intern", "Interne Arbeitshilfe", access="internal")
    ids["protocol"] = make_item("Protokoll", title="Protokoll", kind="protokoll")
    ids["draft"] = sheet("Entwurf", "Merkblatt Entwurf", state="draft", access="internal")
    accounts = (("red", "redaktion"), ("leser", "leser"), ("autorin", "autor"), ("autor2", "autor"))
    users = {name: add_user(name, role) for name, role in accounts}
    set_item(ids["draft"], owner_id=users["autorin"])
    deadlines.set_deadlines(
        kb, ids["current"], [DeadlineInput("Zwischenbericht", D(2026, 12, 15), "per Post")], SYSTEM
    )
    deadlines.set_deadlines(kb, ids["internal"], [DeadlineInput("Interne Frist", D(2026, 12, 1))],
                            SYSTEM)  # fmt: skip
    event = events.create_event(kb, events.EventData("Werkstatt", D(2026, 3, 5)), SYSTEM)
    qa_ids = {
        "public": qa.create(kb, qa.QAData("Was ändert sich?", "Die Belegliste.", "LVwA",
                            D(2026, 3, 5), event, "public", [ids["current"]]), SYSTEM),
        "internal": qa.create(kb, qa.QAData("Interne Frage?", "Intern.", access="internal",
                              guidance_ids=[ids["current"], ids["next"]]), SYSTEM),
    }  # fmt: skip
    tokens = {
        name: bearer(token_for(kb, uid, "write", role))
        for name, uid, role in (
            ("red", users["red"], "redaktion"),
            ("leser", users["leser"], "leser"),
            ("autorin", users["autorin"], "autor"),
            ("autor2", users["autor2"], "autor"),
        )
    }
    tokens["red_read"] = bearer(token_for(kb, users["red"], "read", "redaktion"))
    return ids, qa_ids, event, tokens


def _fits(schema, body):
    assert schema().validate(body) == {}, schema().validate(body)


def _ids(response, key="guidance"):
    return [row["id"] for row in response.get_json()[key]]


def test_list_by_validity_as_of_today(client, sheets):
    ids, _, _, tokens = sheets
    anon = client.get("/api/v1/guidance")
    _fits(schemas.GuidanceList, anon.get_json())
    # Current, upcoming, then the old ones (latest end first; "superseded" has no end).
    assert _ids(anon) == [ids["current"], ids["expired"], ids["old"]]
    rows = {r["id"]: r["validity"] for r in anon.get_json()["guidance"]}
    assert rows[ids["current"]]["status"] == "current"
    assert rows[ids["current"]]["banner"] == "Gültig seit 01.01.2026"
    assert rows[ids["old"]]["status"] == "superseded"
    assert rows[ids["expired"]]["banner"] == "Abgelaufen am 31.12.2024"
    member = client.get("/api/v1/guidance", headers=tokens["leser"])
    assert set(_ids(member)) == {ids[k] for k in ("current", "internal", "next", "old", "expired")}
    assert _ids(client.get("/api/v1/guidance?status=upcoming", headers=tokens["leser"])) == [
        ids["next"]
    ]
    assert _ids(client.get("/api/v1/guidance?status=upcoming")) == []
    assert _ids(client.get("/api/v1/guidance?status=superseded")) == [ids["old"]]
    assert _ids(client.get("/api/v1/guidance?status=expired")) == [ids["expired"]]
    for headers in ({}, tokens["leser"], tokens["autor2"], tokens["red"], tokens["autorin"]):
        listed = client.get("/api/v1/guidance?per_page=100", headers=headers)
        assert ids["draft"] not in _ids(listed)  # a draft is never listed
        assert ids["protocol"] not in _ids(listed)


def test_list_paging_and_bad_input(client, sheets):
    ids, _, _, tokens = sheets
    first = client.get("/api/v1/guidance?per_page=2&status=current", headers=tokens["leser"])
    body = first.get_json()
    assert body["total"] == 2 and len(body["guidance"]) == 2
    assert body["links"]["next"] is None and "status=current" in body["links"]["self"]
    paged = client.get("/api/v1/guidance?per_page=1").get_json()
    assert paged["total"] == 3 and "page=2" in paged["links"]["next"]
    assert _ids(client.get(paged["links"]["last"])) == [ids["old"]]
    assert_error(client.get("/api/v1/guidance?status=gueltig"), 400, "invalid")
    assert_error(client.get("/api/v1/guidance?per_page=101"), 400, "invalid")


def test_a_sheet_with_banner_editions_deadlines_and_faq(client, sheets):
    ids, qa_ids, event, tokens = sheets
    url = f"/api/v1/guidance/{ids['current']}"
    anon = client.get(url).get_json()
    _fits(schemas.GuidanceOut, anon)
    assert anon["validity"] == {"status": "current", "label": "gültig",
                                "banner": "Gültig seit 01.01.2026", "note": ""}  # fmt: skip
    assert anon["predecessor"] == {"id": ids["old"], "title": "Merkblatt 2025", "valid_from": None}
    assert anon["successor"] is None  # the 2027 edition is internal
    assert anon["deadlines"] == [{"id": anon["deadlines"][0]["id"], "title": "Zwischenbericht",
                                  "due_on": "2026-12-15", "note": "per Post"}]  # fmt: skip
    assert [f["id"] for f in anon["faq"]] == [qa_ids["public"]]
    assert anon["faq"][0]["event"] == {"slug": event, "title": "Werkstatt"}
    assert anon["faq"][0]["answering_body"] == "Landesverwaltungsamt Sachsen-Anhalt"  # "LVwA"
    assert "changes" in anon["links"] and "handout" in anon["links"]
    member = client.get(url, headers=tokens["leser"]).get_json()
    assert member["successor"] == {"id": ids["next"], "title": "Merkblatt 2027",
                                   "valid_from": "2027-01-01"}  # fmt: skip
    assert member["validity"]["note"] == "Wird ab 01.01.2027 ersetzt durch: Merkblatt 2027"
    assert {f["id"] for f in member["faq"]} == set(qa_ids.values())
    old = client.get(f"/api/v1/guidance/{ids['old']}").get_json()
    assert old["validity"]["status"] == "superseded"
    assert old["validity"]["banner"] == "Ersetzt durch: Merkblatt 2026"
    assert old["successor"]["id"] == ids["current"] and "changes" not in old["links"]


def test_hidden_drafts_and_other_kinds_are_not_found(client, sheets):
    ids, _, _, tokens = sheets
    draft = f"/api/v1/guidance/{ids['draft']}"
    for headers in ({}, tokens["leser"], tokens["autor2"]):
        assert_error(client.get(draft, headers=headers), 404, "not_found")
    assert client.get(draft, headers=tokens["autorin"]).status_code == 200  # the owner
    assert client.get(draft, headers=tokens["red"]).status_code == 200
    assert_error(client.get(f"/api/v1/guidance/{ids['internal']}"), 404)
    body = assert_error(client.get(f"/api/v1/guidance/{ids['protocol']}"), 404)
    assert body["message"] == "Dieser Eintrag ist kein Leitfaden."
    assert_error(client.get("/api/v1/guidance/99999"), 404)


def test_guidance_etag(client, sheets):
    ids, _, _, _ = sheets
    first = client.get(f"/api/v1/guidance/{ids['current']}")
    again = client.get(f"/api/v1/guidance/{ids['current']}",
                       headers={"If-None-Match": first.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304
    listed = client.get("/api/v1/guidance")
    assert client.get("/api/v1/guidance", headers={"If-None-Match": listed.headers["ETag"]}
                      ).status_code == 304  # fmt: skip


def _fields(**changes):
    fields = {"issuing_body": "Landesverwaltungsamt", "valid_from": "2027-01-01",
              "valid_until": None, "supersedes_id": None, "body": "- [ ] Antrag"}  # fmt: skip
    return {**fields, **changes}


def test_put_guidance_fields_by_owner_or_redaktion(client, sheets):
    ids, _, _, tokens = sheets
    url = f"/api/v1/guidance/{ids['draft']}"
    rows = [{"title": "Antragsfrist", "due_on": "2027-02-01"}]
    put = client.put(url, json=_fields(deadlines=rows), headers=tokens["autorin"])
    assert put.status_code == 200, put.get_json()
    body = put.get_json()
    _fits(schemas.GuidanceOut, body)
    assert body["issuing_body"] == "Landesverwaltungsamt" and body["body"] == "- [ ] Antrag"
    assert body["validity"]["status"] == "upcoming"
    assert body["validity"]["banner"] == "Gilt ab 01.01.2027"
    assert [d["title"] for d in body["deadlines"]] == ["Antragsfrist"]
    kept = client.put(url, json=_fields(body="Neu"), headers=tokens["autorin"]).get_json()
    assert [d["title"] for d in kept["deadlines"]] == ["Antragsfrist"]  # not sent: kept
    cleared = client.put(url, json=_fields(deadlines=[]), headers=tokens["autorin"]).get_json()
    assert cleared["deadlines"] == []
    red = client.put(f"/api/v1/guidance/{ids['expired']}", json=_fields(valid_from=None),
                     headers=tokens["red"])  # fmt: skip
    assert red.status_code == 200 and red.get_json()["validity"]["status"] == "current"


def test_put_guidance_access(client, sheets):
    ids, _, _, tokens = sheets
    public = f"/api/v1/guidance/{ids['current']}"
    assert_error(client.put(public, json=_fields()), 401, "unauthorized")
    assert_error(client.put(public, json=_fields(), headers=tokens["leser"]), 403, "forbidden")
    assert_error(client.put(public, json=_fields(), headers=tokens["autor2"]), 403)
    assert_error(client.put(public, json=_fields(), headers=tokens["red_read"]), 403)
    draft = f"/api/v1/guidance/{ids['draft']}"
    assert_error(client.put(draft, json=_fields(), headers=tokens["autor2"]), 404)
    assert_error(client.put(draft, json=_fields()), 404)  # hidden first, then 401
    assert client.get(public).get_json()["issuing_body"] == ""  # nothing changed


def test_put_guidance_bad_input(client, sheets):
    ids, _, _, tokens = sheets
    red = tokens["red"]
    url = f"/api/v1/guidance/{ids['current']}"
    before = client.get(url).get_json()
    body = assert_error(client.put(url, json=_fields(valid_until="2026-01-01"), headers=red), 400)
    assert body["message"].startswith("„Gültig bis“ (01.01.2026) liegt vor „Gültig ab“")
    body = assert_error(client.put(url, json=_fields(supersedes_id=ids["current"]), headers=red),
                        400)  # fmt: skip
    assert body["message"] == "Ein Leitfaden kann sich nicht selbst ersetzen."
    cycle = client.put(f"/api/v1/guidance/{ids['old']}",
                       json=_fields(supersedes_id=ids["next"]), headers=red)  # fmt: skip
    assert "Kreis" in assert_error(cycle, 400)["message"]
    missing = assert_error(client.put(url, json={"body": "x"}, headers=red), 400, "invalid")
    assert {"issuing_body", "valid_from", "valid_until", "supersedes_id"} <= set(missing["details"])
    assert_error(client.put(url, json=_fields(valid_from="morgen"), headers=red), 400, "invalid")
    bad_row = _fields(deadlines=[{"title": "", "due_on": "2027-01-01"}])
    assert_error(client.put(url, json=bad_row, headers=red), 400)
    protocol = client.put(f"/api/v1/guidance/{ids['protocol']}", json=_fields(), headers=red)
    assert "Leitfaden" in assert_error(protocol, 400)["message"]
    assert client.get(url).get_json() == before  # nothing half-written


def test_what_changed(client, sheets):
    ids, _, _, tokens = sheets
    changes = client.get(f"/api/v1/guidance/{ids['current']}/changes")
    assert changes.status_code == 200
    body = changes.get_json()
    _fits(schemas.ChangesOut, body)
    assert body["predecessor"] == {"id": ids["old"], "title": "Merkblatt 2025"}
    assert "Zwischenbericht bis 30.06." in body["whats_new"]
    assert any(line["change"] == "added" for page in body["pages"] for line in page["lines"])
    assert_error(client.get(f"/api/v1/guidance/{ids['old']}/changes"), 404)  # no predecessor
    # The 2027 edition: hidden from anonymous callers; members see its changes.
    assert_error(client.get(f"/api/v1/guidance/{ids['next']}/changes"), 404)
    member = client.get(f"/api/v1/guidance/{ids['next']}/changes", headers=tokens["leser"])
    assert member.status_code == 200


def test_upcoming_deadlines(client, sheets):
    ids, _, _, tokens = sheets
    anon = client.get("/api/v1/deadlines").get_json()
    _fits(schemas.DeadlineList, anon)
    assert anon["from"] == TODAY and anon["until"] == "2027-03-25"
    assert [(d["kind"], d["title"]) for d in anon["deadlines"]] == [
        ("deadline", "Zwischenbericht")
    ]  # fmt: skip
    assert anon["deadlines"][0]["item"]["id"] == ids["current"]
    member = client.get("/api/v1/deadlines", headers=tokens["leser"]).get_json()
    assert [(d["date"], d["kind"]) for d in member["deadlines"]] == [
        ("2026-12-01", "deadline"), ("2026-12-15", "deadline"), ("2027-01-01", "valid_from")
    ]  # fmt: skip
    short = client.get("/api/v1/deadlines?days=10", headers=tokens["leser"]).get_json()
    assert [d["title"] for d in short["deadlines"]] == ["Interne Frist"]
    for days in ("0", "731", "-5", "viele"):
        assert_error(client.get(f"/api/v1/deadlines?days={days}"), 400, "invalid")
    assert client.get("/api/v1/deadlines?days=730").status_code == 200


def test_guidance_handout_is_the_items_handout(client, sheets):
    ids, _, _, tokens = sheets
    url = f"/api/v1/guidance/{ids['current']}/handout.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert f"Leitfaden_{ids['current']}.pdf" in response.headers["Content-Disposition"]
    item = client.get(f"/api/v1/items/{ids['current']}/handout.pdf")
    assert item.data == response.data  # the same (cached) guidance handout
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert_error(client.get(f"/api/v1/guidance/{ids['protocol']}/handout.pdf"), 404)
    assert_error(client.get(f"/api/v1/guidance/{ids['draft']}/handout.pdf"), 404)


def test_qa_list_and_entry(client, sheets):
    ids, qa_ids, event, tokens = sheets
    anon = client.get("/api/v1/qa")
    _fits(schemas.QAList, anon.get_json())
    assert _ids(anon, "qa") == [qa_ids["public"]]
    member = client.get("/api/v1/qa", headers=tokens["leser"])
    assert set(_ids(member, "qa")) == set(qa_ids.values())
    by_event = client.get(f"/api/v1/qa?event={event}", headers=tokens["leser"])
    assert _ids(by_event, "qa") == [qa_ids["public"]]
    by_next = client.get(f"/api/v1/qa?guidance={ids['next']}", headers=tokens["leser"])
    assert _ids(by_next, "qa") == [qa_ids["internal"]]
    assert _ids(client.get(f"/api/v1/qa?guidance={ids['next']}"), "qa") == []  # hidden sheet
    assert _ids(client.get("/api/v1/qa?event=gibt-es-nicht"), "qa") == []
    paged = client.get("/api/v1/qa?per_page=1", headers=tokens["leser"]).get_json()
    assert paged["total"] == 2 and "page=2" in paged["links"]["next"]
    entry = client.get(f"/api/v1/qa/{qa_ids['public']}").get_json()
    _fits(schemas.QAOut, entry)
    assert entry["guidance"] == [{"id": ids["current"], "title": "Merkblatt 2026"}]
    assert_error(client.get(f"/api/v1/qa/{qa_ids['internal']}"), 404, "not_found")
    internal = client.get(f"/api/v1/qa/{qa_ids['internal']}", headers=tokens["leser"]).get_json()
    assert {g["id"] for g in internal["guidance"]} == {ids["current"], ids["next"]}
    assert_error(client.get("/api/v1/qa?guidance=abc"), 400, "invalid")


def test_qa_create_change_delete(client, sheets):
    ids, qa_ids, event, tokens = sheets
    red = tokens["red"]
    new = {"question": "Gilt die Frist auch 2027?", "answer": "Ja.", "answering_body": "IB",
           "asked_on": "2026-11-20", "event": event, "guidance_ids": [ids["current"]]}  # fmt: skip
    created = client.post("/api/v1/qa", json=new, headers=red)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    _fits(schemas.QAOut, body)
    assert body["access"] == "internal"
    assert body["answering_body"] == "Investitionsbank Sachsen-Anhalt"  # found by short name
    assert created.headers["Location"].endswith(f"/api/v1/qa/{body['id']}")
    assert_error(client.get(f"/api/v1/qa/{body['id']}"), 404)  # internal unless sent
    patched = client.patch(f"/api/v1/qa/{body['id']}", json={"access": "public"}, headers=red)
    assert patched.status_code == 200
    assert patched.get_json()["question"] == new["question"]  # fields not sent stay
    assert client.get(f"/api/v1/qa/{body['id']}").status_code == 200
    assert client.delete(f"/api/v1/qa/{body['id']}", headers=red).status_code == 204
    assert_error(client.get(f"/api/v1/qa/{body['id']}", headers=red), 404)
    assert_error(client.delete(f"/api/v1/qa/{body['id']}", headers=red), 404)


def test_qa_writes_need_redaktion_and_good_input(client, sheets):
    ids, qa_ids, _, tokens = sheets
    url = f"/api/v1/qa/{qa_ids['public']}"
    assert_error(client.post("/api/v1/qa", json={"question": "X?"}), 401, "unauthorized")
    for name in ("leser", "autorin", "red_read"):
        headers = tokens[name]
        assert_error(client.post("/api/v1/qa", json={"question": "X?"}, headers=headers), 403)
        assert_error(client.patch(url, json={"answer": "X"}, headers=headers), 403)
        assert_error(client.delete(url, headers=headers), 403)
    red = tokens["red"]
    assert (
        "question" in assert_error(client.post("/api/v1/qa", json={}, headers=red), 400)["details"]
    )
    assert_error(client.post("/api/v1/qa", json={"question": "   "}, headers=red), 400)
    unknown = client.post("/api/v1/qa", json={"question": "X?", "guidance_ids": [999999]},
                          headers=red)  # fmt: skip
    assert "999999" in assert_error(unknown, 400)["message"]
    not_guidance = client.post(
        "/api/v1/qa", json={"question": "X?", "guidance_ids": [ids["protocol"]]}, headers=red
    )
    assert "kein Leitfaden" in assert_error(not_guidance, 400)["message"]
    no_event = client.post("/api/v1/qa", json={"question": "X?", "event": "nix"}, headers=red)
    assert_error(no_event, 400)
    assert_error(client.patch(url, json={"access": "geheim"}, headers=red), 400, "invalid")
    assert_error(client.patch("/api/v1/qa/999999", json={}, headers=red), 404)
    assert client.get("/api/v1/qa", headers=red).get_json()["total"] == 2  # nothing written


def test_openapi_document_describes_the_guidance_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/guidance/{item_id}"]) == {"get", "put"}
    assert set(paths["/api/v1/qa"]) == {"get", "post"}
    assert set(paths["/api/v1/qa/{qa_id}"]) == {"get", "patch", "delete"}
    for path in ("/api/v1/guidance", "/api/v1/guidance/{item_id}/changes",
                 "/api/v1/guidance/{item_id}/handout.pdf", "/api/v1/deadlines"):  # fmt: skip
        assert "get" in paths[path], path
    days = next(p for p in paths["/api/v1/deadlines"]["get"]["parameters"] if p["name"] == "days")
    assert days["schema"]["maximum"] == 730 and days["schema"]["minimum"] == 1
