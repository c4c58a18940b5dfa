"""Items and file versions through /api/v1: the same services and rules as the pages."""

from __future__ import annotations

import io

from api_helpers import assert_error, bearer, token_for
from conftest import login

from kb.models import Item
from kb.services import jobs


def _create(client, headers=None, **fields):
    data = {"kind": "protokoll", **fields}
    data.setdefault("files", [(io.BytesIO(b"Protokoll der Sitzung zur Wohnsitzauflage"), "p.txt")])
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path="/api/v1/items",
        method="POST",
        data=data,
        content_type="multipart/form-data",
        headers=headers or {},
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_create_get_update_state_delete(client, kb, add_user):
    uid = add_user("autorin", "autor")
    headers = bearer(token_for(kb, uid, "write", "autor"))
    created = _create(client, headers, title="Sitzungsprotokoll", districts="15002")
    assert created.status_code == 201, created.get_json()
    outcome = created.get_json()["outcomes"][0]
    assert outcome["status"] == "queued"
    item_id, fv = outcome["item_id"], outcome["file_version_id"]

    job = client.get(f"/api/v1/jobs?file={fv}", headers=headers).get_json()["jobs"][0]
    assert job["state"] == "reading"
    jobs.run_until_idle(kb)
    job = client.get(f"/api/v1/jobs?file={fv}", headers=headers).get_json()["jobs"][0]
    assert job["state"] == "searchable"

    item = client.get(f"/api/v1/items/{item_id}", headers=headers).get_json()
    assert item["title"] == "Sitzungsprotokoll"
    assert item["state"] == "draft" and item["access"] == "internal"  # a signed-in upload
    assert item["districts"] == ["15002"]
    assert item["files"][0]["filename"] == "p.txt"

    patched = client.patch(
        f"/api/v1/items/{item_id}",
        json={"summary": "Kurzfassung", "topics": ["Beratung", "Wohnen"]},
        headers=headers,
    )  # fmt: skip
    assert patched.status_code == 200
    body = patched.get_json()
    # "Beratung" is in the controlled vocabulary; "Wohnen" is not, so it becomes a tag.
    assert body["summary"] == "Kurzfassung" and body["topics"] == ["Beratung"]
    assert body["tags"] == ["Wohnen"]
    assert body["title"] == "Sitzungsprotokoll"  # fields not sent stay

    moved = client.post(
        f"/api/v1/items/{item_id}/state", json={"target": "review"}, headers=headers
    )
    assert moved.status_code == 200 and moved.get_json()["state"] == "review"
    refused = client.post(
        f"/api/v1/items/{item_id}/state", json={"target": "published"}, headers=headers
    )
    assert_error(refused, 403, "forbidden")

    assert client.delete(f"/api/v1/items/{item_id}", headers=headers).status_code == 204
    assert_error(client.get(f"/api/v1/items/{item_id}", headers=headers), 404, "not_found")


def test_list_filters_and_paging_links(client, make_item):
    ids = [make_item(f"Text {n}", title=f"Eintrag {n}", kind="leitfaden") for n in range(5)]
    make_item("Anderes", title="Protokoll", kind="protokoll")
    first = client.get("/api/v1/items?kind=leitfaden&per_page=2").get_json()
    assert first["total"] == 5
    assert [i["id"] for i in first["items"]] == sorted(ids, reverse=True)[:2]
    assert first["links"]["prev"] is None
    assert "kind=leitfaden" in first["links"]["next"] and "page=2" in first["links"]["next"]
    last = client.get(first["links"]["last"]).get_json()
    assert [i["id"] for i in last["items"]] == [min(ids)]
    assert last["links"]["next"] is None and "page=2" in last["links"]["prev"]
    beyond = client.get("/api/v1/items?page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 6


def test_versions_upload_list_download(client, kb, add_user, make_item):
    item_id = make_item("Erste Fassung", title="Merkblatt")
    uid = add_user("redakteur", "redaktion")
    headers = bearer(token_for(kb, uid, "write", "redaktion"))
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=f"/api/v1/items/{item_id}/versions",
        method="POST",
        data={"label": "Korrektur", "file": (io.BytesIO(b"Zweite Fassung"), "m.txt")},
        content_type="multipart/form-data",
        headers=headers,
    )
    environ = builder.get_environ()
    try:
        added = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert added.status_code == 201, added.get_json()
    versions = added.get_json()["versions"]
    assert [v["label"] for v in versions] == ["Korrektur", ""]
    assert [v["is_current"] for v in versions] == [True, False]
    listed = client.get(f"/api/v1/items/{item_id}/versions").get_json()["versions"]
    assert listed == versions
    with client.get(listed[1]["url"]) as old:
        assert old.status_code == 200 and old.data == b"Erste Fassung"


def test_writes_need_a_role(client, kb, add_user, make_item):
    item_id = make_item("Text", title="Öffentlich")
    uid = add_user("leserin", "leser")
    headers = bearer(token_for(kb, uid, "write"))
    assert_error(_create(client, headers), 403, "forbidden")
    patched = client.patch(f"/api/v1/items/{item_id}", json={"title": "X"}, headers=headers)
    assert_error(patched, 403)
    assert_error(client.delete(f"/api/v1/items/{item_id}", headers=headers), 403)
    anon = client.patch(f"/api/v1/items/{item_id}", json={"title": "X"})
    assert_error(anon, 403)  # accounts exist: anonymous may not edit


def test_session_works_like_the_pages(client, add_user, make_item, set_item):
    item_id = make_item("Entwurfstext", title="Entwurf")
    set_item(item_id, state="draft", access="internal")
    assert_error(client.get(f"/api/v1/items/{item_id}"), 404)
    add_user("redaktion", "redaktion")
    login(client, "redaktion")
    assert client.get(f"/api/v1/items/{item_id}").status_code == 200


def test_bad_input(client, kb, add_user, make_item):
    item_id = make_item("Text", title="Eintrag")
    uid = add_user("redaktion", "redaktion")
    headers = bearer(token_for(kb, uid, "write", "redaktion"))
    url = f"/api/v1/items/{item_id}"
    malformed = client.patch(
        url, data="{nicht json", content_type="application/json", headers=headers
    )
    assert_error(malformed, 400, "invalid")
    assert_error(client.patch(url, json=["a"], headers=headers), 400)
    assert_error(client.patch(url, data="title=x", headers=headers), 400)  # not JSON
    unknown = assert_error(client.patch(url, json={"owner_id": 1}, headers=headers), 400)
    assert "owner_id" in unknown["details"]
    wrong = assert_error(client.patch(url, json={"title": 5}, headers=headers), 400)
    assert "title" in wrong["details"]
    assert_error(client.patch(url, json={"kind": "roman"}, headers=headers), 400)
    assert_error(client.patch(url, json={"districts": ["99999"]}, headers=headers), 400)
    assert_error(client.get("/api/v1/items?per_page=100000"), 400, "invalid")
    assert_error(client.get("/api/v1/items?page=-1"), 400, "invalid")
    assert_error(client.get("/api/v1/items?page=abc"), 400, "invalid")
    assert_error(client.get("/api/v1/items?colour=blue"), 400, "invalid")
    assert_error(client.post(f"{url}/state", json={"target": "x"}, headers=headers), 400)
    assert_error(client.post(f"{url}/state", json={}, headers=headers), 400)
    assert_error(_create(client, headers, files=[]), 400)
    assert_error(_create(client, headers, kind="roman"), 400)
    assert_error(_create(client, headers, event="gibt-es-nicht"), 400)
    assert_error(client.get("/api/v1/jobs"), 400)
    assert_error(client.get("/api/v1/jobs?file=x"), 400)
    with kb.db.reading() as session:
        assert session.get(Item, item_id).title == "Eintrag"  # nothing half-written


def test_open_mode_anonymous_upload(client):
    """Before the first account, anonymous uploads are published and public (as /upload)."""
    created = _create(client, title="Offen")
    assert created.status_code == 201
    item_id = created.get_json()["outcomes"][0]["item_id"]
    item = client.get(f"/api/v1/items/{item_id}").get_json()
    assert item["state"] == "published" and item["access"] == "public"


def test_handout_download(client, make_item, set_item):
    item_id = make_item("Text über Wohnsitzauflage", title="Handout")
    response = client.get(f"/api/v1/items/{item_id}/handout.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="Handout_{item_id}.pdf"'
    )
    etag = response.headers["ETag"]
    again = client.get(f"/api/v1/items/{item_id}/handout.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304
    english = client.get(f"/api/v1/items/{item_id}/handout.pdf", headers={"Accept-Language": "en"})
    assert english.status_code == 200 and english.data.startswith(b"%PDF")
    set_item(item_id, state="draft")
    assert_error(client.get(f"/api/v1/items/{item_id}/handout.pdf"), 404, "not_found")
