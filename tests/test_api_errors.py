"""Every API failure is ``{"error", "message"}`` JSON with the right status; ETag and 304."""

from __future__ import annotations

from api_helpers import assert_error

from kb.api import blueprint


def test_unknown_route_and_method(client):
    assert_error(client.get("/api/v1/gibt-es-nicht"), 404, "not_found")
    assert_error(client.get("/api/v2/items"), 404, "not_found")
    wrong = assert_error(client.put("/api/v1/items"), 405, "method_not_allowed")
    assert wrong["message"] == "Diese Methode ist hier nicht möglich."


def test_ids_beyond_the_column_range_are_not_found(client):
    """A 20-digit id would overflow the database driver: "not found", never a 500."""
    assert_error(client.get("/api/v1/items/99999999999999999999"), 404, "not_found")
    assert_error(client.get("/api/v1/items/0"), 404, "not_found")
    assert_error(client.get("/api/v1/jobs?file=99999999999999999999"), 400, "invalid")


def test_language_follows_accept_language(client):
    de = assert_error(client.get("/api/v1/items/999"), 404)
    en = assert_error(client.get("/api/v1/items/999", headers={"Accept-Language": "en"}), 404)
    assert de["message"] == "Diesen Eintrag gibt es nicht."
    assert en["message"] == "This item does not exist."
    mixed = client.get("/api/v1/items/999", headers={"Accept-Language": "fr, en;q=0.5"})
    assert assert_error(mixed, 404)["message"] == "This item does not exist."


def test_a_bug_is_a_json_500_without_traceback(app, client, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("geheimer Pfad /srv/kb")

    monkeypatch.setattr("kb.api.reads.all_districts", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_error(client.get("/api/v1/districts"), 500, "internal")
    assert "geheim" not in str(body) and "Traceback" not in str(body)


def test_too_large_is_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/v1/items", data={"title": "x" * 500})
    assert_error(response, 413, "too_large")


def test_times_carry_their_zone(client, make_item):
    item = client.get(f"/api/v1/items/{make_item('Text')}").get_json()
    assert item["created_at"].endswith("+00:00") and item["files"][0]["uploaded_at"].endswith(
        "+00:00"
    )


def test_etag_and_not_modified(client, make_item):
    make_item("Text", title="Eintrag")
    first = client.get("/api/v1/items")
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]
    again = client.get("/api/v1/items", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_item("Noch ein Text", title="Neu")
    changed = client.get("/api/v1/items", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_etag_on_item_and_districts(client, make_item):
    item_id = make_item("Text", title="Eintrag")
    for path in (f"/api/v1/items/{item_id}", "/api/v1/districts", "/api/v1/openapi.json"):
        etag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, path


def test_districts_from_the_database(client):
    districts = client.get("/api/v1/districts").get_json()["districts"]
    assert len(districts) == 14
    assert {"ags": "15002", "name": "Halle (Saale)"}.items() <= {
        k: v for d in districts if d["ags"] == "15002" for k, v in d.items()
    }.items()


def test_malformed_authorization_header(client):
    assert_error(client.get("/api/v1/items", headers={"Authorization": "Basic abc"}), 401)
    assert_error(client.get("/api/v1/items", headers={"Authorization": "Bearer"}), 401)
    response = client.get("/api/v1/items", headers={"Authorization": "Bearer kb_falsch"})
    body = assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["message"] == "Der API-Schlüssel ist ungültig oder widerrufen."


def test_rate_keys_separate_tokens_and_addresses(app):
    headers = {"Authorization": "Bearer kb_a"}
    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.7"}):
        a = blueprint.token_key()
        addr = blueprint.address_key()
        assert not blueprint.no_bearer()
    with app.test_request_context(headers={"Authorization": "Bearer kb_b"}):
        b = blueprint.token_key()
    with app.test_request_context():
        assert blueprint.no_bearer()
    assert a != b and a.startswith("token:") and "kb_a" not in a
    assert addr == "addr:10.0.0.7"  # the address counts whether or not a token is sent


def test_etag_on_a_file_download(client, make_item):
    """The file of a version answers If-None-Match with 304; its ETag is the content hash,
    so it is the same on every server and after a restore, and differs between versions."""
    item_id = make_item("Verwendungsnachweis Inhalt", title="Datei")
    version = client.get(f"/api/v1/items/{item_id}").get_json()["files"][0]
    url = f"/api/v1/items/{item_id}/versions/{version['id']}/file"
    # File responses hold the opened blob until closed (a WSGI server always closes them).
    with client.get(url) as first:
        assert first.status_code == 200 and first.data == b"Verwendungsnachweis Inhalt"
        etag = first.headers["ETag"]
    assert etag == f'"{version["sha256"]}"'
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.get(url, headers={"If-None-Match": '"' + "0" * 64 + '"'}) as other:
        assert other.status_code == 200 and other.data == b"Verwendungsnachweis Inhalt"
