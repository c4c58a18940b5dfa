"""Accounts: signing in and out, throttling, reset links, sessions that must end."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from conftest import PASSWORD, login
from sqlalchemy import select

from kb.models import AuditEvent, User, utcnow
from kb.services import accounts, auth
from kb.services.access import SYSTEM

WRONG = "Benutzername oder Passwort ist falsch."


def test_login_sets_a_session_and_logout_ends_it(client, add_user):
    add_user("anna", "autor")
    response = login(client, "Anna")  # names are case-insensitive
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Angemeldet als <strong>anna</strong>" in page
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302  # back to the login


@pytest.mark.parametrize("case", ["unknown", "wrong", "disabled"])
def test_login_failures_look_the_same_whatever_the_reason(client, kb, add_user, case):
    """No user enumeration: one message and status for every reason."""
    add_user("anna")
    if case == "disabled":
        accounts.set_active(kb, "anna", False, SYSTEM)
    name, password = {
        "unknown": ("niemand", PASSWORD),
        "wrong": ("anna", "falsches-passwort"),
        "disabled": ("anna", PASSWORD),
    }[case]
    response = login(client, name, password)
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    with kb.db.reading() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert [e.login_name for e in failed] == [name]


def test_login_records_when_and_from_where(kb, client, add_user):
    add_user("anna")
    login(client, "anna")
    with kb.db.reading() as session:
        user = session.scalar(select(User).where(User.username == "anna"))
        assert user.last_login_at is not None
        logins = session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
        assert [(e.user_id, e.address) for e in logins] == [(user.id, "127.0.0.1")]


def test_login_is_throttled_per_name_and_the_window_ends(kb, add_user):
    add_user("anna")
    now = utcnow()
    for _ in range(auth.MAX_FAILURES_PER_NAME):
        with pytest.raises(auth.WrongLogin):
            auth.authenticate(kb, "anna", "falsch-falsch", "10.0.0.1", now)
    with pytest.raises(auth.TooManyAttempts):  # even the right password waits now
        auth.authenticate(kb, "anna", PASSWORD, "10.0.0.2", now)
    later = now + auth.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert auth.authenticate(kb, "anna", PASSWORD, "10.0.0.1", later).username == "anna"


def test_login_is_throttled_per_address(kb, add_user):
    now = utcnow()
    for i in range(auth.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(auth.WrongLogin):
            auth.authenticate(kb, f"name{i}", "falsch-falsch", "10.9.9.9", now)
    add_user("anna")
    with pytest.raises(auth.TooManyAttempts):
        auth.authenticate(kb, "anna", PASSWORD, "10.9.9.9", now)
    assert auth.authenticate(kb, "anna", PASSWORD, "10.0.0.1", now).username == "anna"


def test_throttled_login_page_says_so_in_german(client, add_user):
    add_user("anna")
    for _ in range(auth.MAX_FAILURES_PER_NAME):
        login(client, "anna", "falsch-falsch")
    response = login(client, "anna")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.get_data(as_text=True)


def test_user_disabled_while_signed_in_is_signed_out(client, kb, add_user):
    add_user("anna", "autor")
    login(client, "anna")
    assert client.get("/account").status_code == 200
    accounts.set_active(kb, "anna", False, SYSTEM)
    assert client.get("/account").status_code == 302
    assert client.get("/upload").status_code == 302  # anonymous now: to the login


def test_forged_session_cookie_is_anonymous(app, client, add_user):
    add_user("anna", "admin")
    login(client, "anna")
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value[:-4] + "AAAA")
    assert client.get("/admin/users").status_code == 302


def test_expired_session_is_anonymous(app, client, add_user):
    add_user("anna", "admin")
    app.permanent_session_lifetime = dt.timedelta(seconds=1)
    login(client, "anna")
    time.sleep(2.1)
    assert client.get("/admin/users").status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, add_user):
    add_user("anna")
    first, second = app.test_client(), app.test_client()
    login(first, "anna")
    login(second, "anna")
    new = "ein-neues-passwort"
    response = first.post(
        "/account/password", data={"current": PASSWORD, "new": new, "repeat": new}
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302
    assert login(app.test_client(), "anna", new).status_code == 302


def test_password_change_needs_the_current_password(client, add_user):
    add_user("anna")
    login(client, "anna")
    response = client.post(
        "/account/password", data={"current": "falsch", "new": "x" * 12, "repeat": "x" * 12}
    )
    assert response.status_code == 400
    assert "bisherige Passwort ist falsch" in response.get_data(as_text=True)


def test_reset_link_sets_the_password_once(client, kb, add_user):
    add_user("anna", password="alt-und-vergessen")
    token = auth.issue_reset_token(kb, "anna", SYSTEM, utcnow())
    assert "anna" in client.get(f"/reset/{token}").get_data(as_text=True)
    short = client.post(f"/reset/{token}", data={"new": "kurz", "repeat": "kurz"})
    assert short.status_code == 400 and "mindestens 10 Zeichen" in short.get_data(as_text=True)
    new = "neu-und-lang-genug"
    assert client.post(f"/reset/{token}", data={"new": new, "repeat": new}).status_code == 302
    again = client.get(f"/reset/{token}")
    assert again.status_code == 404 and "ungültig oder abgelaufen" in again.get_data(as_text=True)
    assert login(client, "anna", new).status_code == 302
    assert client.get("/reset/erfunden").status_code == 404


def test_reset_link_expires(kb, add_user):
    add_user("anna")
    issued = utcnow() - auth.RESET_VALID_FOR - dt.timedelta(minutes=1)
    token = auth.issue_reset_token(kb, "anna", SYSTEM, issued)
    with pytest.raises(Exception, match="abgelaufen"):
        auth.reset_token_user(kb, token, utcnow())


def test_only_the_token_hash_is_stored(kb, add_user):
    from kb.models import ResetToken

    add_user("anna")
    token = auth.issue_reset_token(kb, "anna", SYSTEM, utcnow())
    with kb.db.reading() as session:
        stored = session.scalars(select(ResetToken.token_hash)).all()
    assert stored and token not in stored


def test_role_cannot_be_raised_through_the_profile_form(client, kb, add_user):
    add_user("anna", "leser")
    login(client, "anna")
    response = client.post(
        "/account", data={"display_name": "Anna A.", "role": "admin", "active": "1"}
    )
    assert response.status_code == 302
    with kb.db.reading() as session:
        user = session.scalar(select(User).where(User.username == "anna"))
        assert (user.display_name, user.role) == ("Anna A.", "leser")
    assert client.get("/admin/users").status_code == 403


def test_login_redirects_only_to_our_own_pages(client, add_user):
    add_user("anna")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = client.post(
            "/login", data={"username": "anna", "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/", target
    response = client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "next": "/search?q=a"}
    )
    assert response.headers["Location"] == "/search?q=a"


def test_session_cookie_is_httponly_and_samesite(client, add_user):
    add_user("anna")
    response = login(client, "anna")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_is_configurable(tmp_path, template_db, monkeypatch):
    from conftest import open_app

    monkeypatch.setenv("KB_SECURE_COOKIES", "1")
    app = open_app(tmp_path / "d", template_db)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["kb"].close()


def test_forms_without_csrf_token_are_refused(tmp_path, template_db, add_user):
    from conftest import open_app

    app = open_app(tmp_path / "csrf", template_db, WTF_CSRF_ENABLED=True)
    try:
        response = app.test_client().post("/login", data={"username": "x", "password": "y"})
        assert response.status_code == 400
        assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    finally:
        app.extensions["kb"].close()


def test_pages_carry_a_csp_without_inline_scripts(client):
    import re

    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for path in ("/", "/search?q=Antrag", "/upload", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path


def test_open_mode_hides_the_login_link_until_an_account_exists(client, add_user):
    assert ">Anmelden</a>" not in client.get("/").get_data(as_text=True)
    assert "kb users add NAME --role admin" in client.get("/login").get_data(as_text=True)
    add_user("anna")
    assert ">Anmelden</a>" in client.get("/").get_data(as_text=True)
    assert "kb users add" not in client.get("/login").get_data(as_text=True)


def test_error_page_renders_when_the_database_is_away(app, client, kb, monkeypatch):
    from contextlib import contextmanager

    from sqlalchemy.exc import OperationalError

    @contextmanager
    def unavailable():
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        yield

    monkeypatch.setattr(kb.db, "reading", unavailable)
    response = client.get("/")
    # A database that is away is "try again later" (503), not an internal error.
    assert response.status_code == 503
    assert "Die Datenbank ist gerade nicht erreichbar" in response.get_data(as_text=True)
