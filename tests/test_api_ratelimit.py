"""Flask-Limiter on the API: per address always, per valid token too; 429 in the JSON error
shape."""

from __future__ import annotations

import pytest
from api_helpers import assert_error, bearer, token_for
from conftest import open_app


@pytest.fixture
def tiny(tmp_path, template_db):
    app = open_app(tmp_path / "rl", template_db, KB_RATELIMIT_API="3/minute")
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


def test_limit_per_address_then_429(tiny):
    client = tiny.test_client()
    for _ in range(3):
        assert client.get("/api/v1/districts").status_code == 200
    response = client.get("/api/v1/districts")
    body = assert_error(response, 429, "rate_limited")
    assert body["message"].startswith("Zu viele Anfragen")
    assert int(response.headers["Retry-After"]) > 0
    other = tiny.test_client()
    blocked = other.get("/api/v1/districts", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert blocked.status_code == 429  # the same address
    elsewhere = other.get("/api/v1/districts", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 200
    assert tiny.test_client().get("/").status_code == 200  # pages are not limited


def _users(tiny, *names):
    from kb.services.access import SYSTEM
    from kb.services.accounts import add_user

    kb = tiny.extensions["kb"]
    return [token_for(kb, add_user(kb, n, "leser", SYSTEM, password="x" * 12)) for n in names]


def test_limit_per_token_across_addresses(tiny):
    a, b = _users(tiny, "anna", "bernd")
    client = tiny.test_client()
    for number in range(3):
        where = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}  # a fresh address each time
        response = client.get("/api/v1/districts", headers=bearer(a), environ_base=where)
        assert response.status_code == 200
    fresh = {"REMOTE_ADDR": "10.0.0.9"}
    assert_error(client.get("/api/v1/districts", headers=bearer(a), environ_base=fresh), 429)
    assert client.get("/api/v1/districts", headers=bearer(b), environ_base=fresh).status_code == 200


def test_limit_per_address_also_binds_a_valid_token(tiny):
    (a,) = _users(tiny, "anna")
    client = tiny.test_client()
    for _ in range(3):
        assert client.get("/api/v1/districts").status_code == 200
    assert_error(client.get("/api/v1/districts", headers=bearer(a)), 429)


def test_rotating_made_up_tokens_still_reaches_429(tiny):
    client = tiny.test_client()
    for number in range(3):
        response = client.get("/api/v1/districts", headers=bearer(f"kb_x{number:040d}"))
        assert_error(response, 401, "invalid_token")
    response = client.get("/api/v1/districts", headers=bearer("kb_x" + "9" * 40))
    assert_error(response, 429, "rate_limited")
    assert client.get("/api/v1/districts").status_code == 429  # the address is used up
    other = {"REMOTE_ADDR": "10.9.9.9"}
    assert client.get("/api/v1/districts", environ_base=other).status_code == 200


def test_an_invalid_token_fills_no_token_bucket(tiny):
    """Only a valid token's requests count against the token (no storage per invented
    value): the same bogus token from fresh addresses stays a 401, never a 429."""
    client = tiny.test_client()
    for number in range(4):
        where = {"REMOTE_ADDR": f"10.0.1.{number + 1}"}
        response = client.get("/api/v1/districts", headers=bearer("kb_bogus"), environ_base=where)
        assert_error(response, 401, "invalid_token")


def test_counts_are_per_endpoint(tiny):
    client = tiny.test_client()
    for _ in range(3):
        assert client.get("/api/v1/districts").status_code == 200
    assert client.get("/api/v1/series").status_code == 200


def test_proxy_hops_give_the_real_address(tmp_path, template_db):
    app = open_app(tmp_path / "px", template_db, KB_RATELIMIT_API="1/minute", KB_PROXY_HOPS=1)
    try:
        client = app.test_client()
        first = {"X-Forwarded-For": "203.0.113.5"}
        assert client.get("/api/v1/districts", headers=first).status_code == 200
        assert client.get("/api/v1/districts", headers=first).status_code == 429
        second = {"X-Forwarded-For": "203.0.113.6"}
        assert client.get("/api/v1/districts", headers=second).status_code == 200
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])
