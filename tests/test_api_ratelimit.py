"""Flask-Limiter on the API: per token, else per address; 429 in the JSON error shape."""

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


def test_limit_per_token(tiny):
    from kb.services.access import SYSTEM
    from kb.services.accounts import add_user

    kb = tiny.extensions["kb"]
    a = token_for(kb, add_user(kb, "anna", "leser", SYSTEM, password="x" * 12))
    b = token_for(kb, add_user(kb, "bernd", "leser", SYSTEM, password="x" * 12))
    client = tiny.test_client()
    for _ in range(3):
        assert client.get("/api/v1/districts", headers=bearer(a)).status_code == 200
    assert_error(client.get("/api/v1/districts", headers=bearer(a)), 429)
    assert client.get("/api/v1/districts", headers=bearer(b)).status_code == 200
    assert client.get("/api/v1/districts").status_code == 200  # the address has its own count


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
