"""Personal API tokens: made and revoked on the account page, hashed, scoped; CSRF rules."""

from __future__ import annotations

import re

import pytest
from api_helpers import assert_error, bearer, token_for
from conftest import login, open_app
from sqlalchemy import select

from kb.models import ApiToken, AuditEvent
from kb.services import accounts
from kb.services.access import SYSTEM
from kb.services.tokens import token_hash


def test_token_page_shows_the_secret_once_and_revokes(client, kb, add_user):
    add_user("anna", "autor")
    login(client, "anna")
    assert client.get("/account").status_code == 200
    assert b"/account/tokens" in client.get("/account").data
    made = client.post("/account/tokens", data={"name": "Kreis-Website", "scope": "read"})
    assert made.status_code == 200
    secret = re.search(rb'<code class="secret">(kb_[^<]+)</code>', made.data).group(1).decode()
    page = client.get("/account/tokens").data.decode()
    assert secret not in page and "Kreis-Website" in page and "nie" in page
    with kb.db.reading() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash == token_hash(secret) and secret not in row.token_hash
        assert row.scope == "read"
        actions = set(session.scalars(select(AuditEvent.action)))
    assert "token_created" in actions
    assert client.get("/api/v1/items", headers=bearer(secret)).status_code == 200
    with kb.db.reading() as session:
        assert session.get(ApiToken, row.id).last_used_at is not None
    revoked = client.post(f"/account/tokens/{row.id}/revoke")
    assert revoked.status_code == 302
    assert "widerrufen am" in client.get("/account/tokens").data.decode()
    assert_error(client.get("/api/v1/items", headers=bearer(secret)), 401, "invalid_token")


def test_token_page_bad_input(client, add_user):
    assert client.get("/account/tokens").status_code == 302  # anonymous: to the login
    add_user("anna", "leser")
    login(client, "anna")
    assert client.post("/account/tokens", data={"name": "", "scope": "read"}).status_code == 400
    bad_scope = client.post("/account/tokens", data={"name": "x", "scope": "admin"})
    assert bad_scope.status_code == 400 and "Unbekannter Bereich" in bad_scope.data.decode()
    assert client.post("/account/tokens/999/revoke").status_code == 404


def test_someone_elses_token_cannot_be_revoked(client, kb, add_user):
    other = add_user("bernd", "leser")
    secret = token_for(kb, other, "read")
    add_user("anna", "leser")
    login(client, "anna")
    with kb.db.reading() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/items", headers=bearer(secret)).status_code == 200


def test_read_scope_cannot_write(client, kb, add_user, make_item):
    item_id = make_item("Text", title="Eintrag")
    uid = add_user("redaktion", "redaktion")
    read, write = token_for(kb, uid, "read"), token_for(kb, uid, "write")
    patch = {"summary": "neu"}
    refused = client.patch(f"/api/v1/items/{item_id}", json=patch, headers=bearer(read))
    assert (
        assert_error(refused, 403, "forbidden")["message"] == "Dieser API-Schlüssel darf nur lesen."
    )
    assert_error(client.delete(f"/api/v1/items/{item_id}", headers=bearer(read)), 403)
    assert client.get(f"/api/v1/items/{item_id}", headers=bearer(read)).status_code == 200
    ok = client.patch(f"/api/v1/items/{item_id}", json=patch, headers=bearer(write))
    assert ok.status_code == 200


def test_token_sees_what_its_account_sees(client, kb, add_user, make_item, set_item):
    item_id = make_item("Intern", title="Intern")
    set_item(item_id, access="internal")
    uid = add_user("leser", "leser")
    assert_error(client.get(f"/api/v1/items/{item_id}"), 404)
    assert (
        client.get(f"/api/v1/items/{item_id}", headers=bearer(token_for(kb, uid))).status_code
        == 200
    )


def test_disabled_account_token_stops(client, kb, add_user):
    uid = add_user("anna", "leser")
    secret = token_for(kb, uid)
    accounts.set_active(kb, "anna", False, SYSTEM)
    assert_error(client.get("/api/v1/items", headers=bearer(secret)), 401, "invalid_token")


def test_token_limit_per_user(kb, add_user):
    from kb.errors import ValidationError
    from kb.services.tokens import MAX_TOKENS_PER_USER

    uid = add_user("anna", "leser")
    for _ in range(MAX_TOKENS_PER_USER):
        token_for(kb, uid)
    with pytest.raises(ValidationError):
        token_for(kb, uid)


@pytest.fixture
def csrf_app(tmp_path, template_db):
    app = open_app(tmp_path / "csrf", template_db, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


def test_session_writes_need_the_csrf_header(csrf_app):
    """A cross-site form rides on the cookie but cannot send X-CSRFToken; a token can."""
    kb = csrf_app.extensions["kb"]
    from kb.services.accounts import add_user

    uid = add_user(kb, "redaktion", "redaktion", SYSTEM, password="richtig-geheim-42")
    client = csrf_app.test_client()
    page = client.get("/login").data.decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"username": "redaktion", "password": "richtig-geheim-42", "csrf_token": csrf},
    )
    page = client.get("/account").data.decode()  # the login started a fresh session
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    url = "/api/v1/items/999"
    assert_error(client.patch(url, json={"title": "x"}), 400, "csrf")
    with_header = client.patch(url, json={"title": "x"}, headers={"X-CSRFToken": csrf})
    assert_error(with_header, 404, "not_found")  # past the CSRF check
    assert client.get("/api/v1/items").status_code == 200  # reads need nothing
    fresh = csrf_app.test_client()  # a script: no cookie, only the token
    secret = token_for(kb, uid, "write", "redaktion")
    assert_error(fresh.patch(url, json={"title": "x"}, headers=bearer(secret)), 404)
    # The pages stay protected as before.
    assert client.post("/account/tokens", data={"name": "x", "scope": "read"}).status_code == 400


def _unsafe_api_routes(app):
    """Every changing (method, URL, endpoint) of the API, from the URL map itself, so a new
    route is walked without editing this test. Path arguments name nothing that exists."""
    from flask import url_for
    from werkzeug.routing.converters import NumberConverter

    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("api."):
                continue
            args = {
                name: 999_999 if isinstance(conv, NumberConverter) else "gibt-es-nicht"
                for name, conv in rule._converters.items()
            }
            url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
                routes.append((method, url, rule.endpoint))
    return routes


def test_token_scope_on_every_unsafe_api_route(app, client, kb, add_user):
    """A read token gets 403 on every changing route (but the documented read-only POSTs);
    a write token of the same admin account passes the scope check everywhere."""
    admin = add_user("ada", "admin")
    read, write = bearer(token_for(kb, admin, "read")), bearer(token_for(kb, admin, "write"))
    routes = _unsafe_api_routes(app)
    endpoints = {endpoint for _, _, endpoint in routes}
    assert {"api.create_items", "api.delete_item", "api.bundle_handout"} <= endpoints
    for method, url, endpoint in routes:
        reads_only = getattr(app.view_functions[endpoint], "_reads_only", False)
        got = client.open(url, method=method, json={}, headers=read)
        if reads_only:
            assert got.status_code != 403, (method, url)
        else:
            body = assert_error(got, 403, "forbidden")
            assert body["message"] == "Dieser API-Schlüssel darf nur lesen.", (method, url)
        got = client.open(url, method=method, json={}, headers=write)
        assert got.status_code != 403, (method, url, got.get_json())
        assert got.status_code < 500, (method, url)
    assert [e for _, _, e in routes if getattr(app.view_functions[e], "_reads_only", False)] == [
        "api.bundle_handout"
    ]  # a new read-only POST is a decision: add it here and to the API docs
