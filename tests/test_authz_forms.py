"""The authorisation matrix for form submissions: each POST a page's form sends, per role.

Same accounts and items as ``test_authz_matrix.py`` (``tests/authz_support.py``), with
the exact status code per role written from the issue's rules. Where a refused and an
accepted request answer alike (both redirect), the database says which one it was.
Fields a form does not have (role, state, owner) are posted too: they must change nothing.
"""

from __future__ import annotations

import io
import itertools

import pytest
from authz_support import ROLES, make_world, may_view, status
from conftest import PASSWORD, login, post_multipart
from sqlalchemy import select

from kb.models import Item, User, utcnow
from kb.services import auth
from kb.services.access import SYSTEM

#: Who may change an item of ``autor_own``: the owner and the editors.
CHANGERS = ("autor_own", "redaktion", "admin")
NEW_PASSWORD = "ganz-neues-passwort-7"


@pytest.fixture
def world(app, kb, add_user, set_item):
    return make_world(app, kb, add_user, set_item)


def _item(kb, item_id):
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        return item.title, item.state, item.owner_id


def _users(kb) -> dict[str, tuple[str, bool, str]]:
    with kb.db.reading() as session:
        return {
            u.username: (u.role, u.active, u.display_name) for u in session.scalars(select(User))
        }


def test_item_edit_form(world, kb):
    clients, items = world
    stranger = _users_id(kb, "autor_other")
    for role, ((state, access), item_id) in itertools.product(ROLES, items.items()):
        client, where = clients[role], (role, state, access)
        seen = may_view(role, state, access)
        if role in CHANGERS:
            expect = 302  # saved, back to the item
        elif not seen:
            expect = 404
        else:
            expect = 302 if role == "anon" else 403  # anonymous: to the login
        path = f"/items/{item_id}/edit"
        untitled = {"title": " ", "kind": "sonstiges", "access": access}
        assert status(client, "POST", path, data=untitled) == (
            400 if role in CHANGERS else expect
        ), where
        before = _item(kb, item_id)
        form = {"title": f"Titel von {role}", "kind": "sonstiges", "access": access,
                "state": "published", "owner_id": stranger}  # fmt: skip
        assert status(client, "POST", path, data=form) == expect, where
        title, *rest = _item(kb, item_id)
        assert title == (f"Titel von {role}" if role in CHANGERS else before[0]), where
        assert rest == list(before[1:]), where  # state and owner are not edit fields


def _users_id(kb, name: str) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(User.id).where(User.username == name))


def test_upload_form(world, kb):
    clients, items = world
    for role in ROLES:
        client = clients[role]
        gate = {"anon": 302, "leser": 403}.get(role)
        assert status(client, "POST", "/upload", data={}) == (gate or 400), role  # no file
        data = {"kind": "sonstiges", "access": "public", "state": "published",
                "files": [(io.BytesIO(f"Datei von {role}".encode()), f"{role}.txt")]}  # fmt: skip
        with post_multipart(client, "/upload", data) as response:
            assert response.status_code == (gate or 201), role
    with kb.db.reading() as session:
        new = session.execute(
            select(User.username, Item.state, Item.access)
            .join(User, User.id == Item.owner_id)
            .where(Item.id > max(items.values()))
        ).all()
    # Every permitted upload is its uploader's draft, whatever the form said about the state.
    uploaders = ("admin", "autor_other", "autor_own", "redaktion")
    assert sorted(tuple(row) for row in new) == [(u, "draft", "public") for u in uploaders]


def test_admin_forms(world, kb):
    """Only an Admin creates or changes accounts; nobody makes themselves Admin."""
    clients, _ = world
    before = _users(kb)
    for role in ROLES:
        client = clients[role]
        gate = {"anon": 302, "admin": None}.get(role, 403)
        new = {"username": f"neu-{role}", "role": "admin"}
        assert status(client, "POST", "/admin/users", data=new) == (gate or 200), role
        assert status(client, "POST", "/admin/users", data={}) == (gate or 400), role
        own = "leser" if role == "anon" else role
        promote = {"role": "admin", "active": "1"}
        if role == "admin":  # the one allowed: a change that keeps things as they are
            own, promote = "autor_other", {"role": "autor", "active": "1"}
        assert status(client, "POST", f"/admin/users/{own}", data=promote) == (gate or 302)
        assert status(client, "POST", "/admin/users/niemand", data=promote) == (gate or 404)
    after = _users(kb)
    assert after.pop("neu-admin") == ("admin", True, "")
    assert after == before


def test_own_account_forms(world, kb):
    """Profile, password and API tokens: one's own, signed in; a posted role is ignored."""
    clients, _ = world
    before = _users(kb)
    for role in ROLES:
        client = clients[role]
        gate = 302 if role == "anon" else None
        profile = {"display_name": f"Neu {role}", "role": "admin", "active": "0"}
        assert status(client, "POST", "/account", data=profile) == 302, role  # saved / login
        bad = {"display_name": "x", "home_district_ags": "99999"}
        assert status(client, "POST", "/account", data=bad) == (gate or 400), role
        mismatch = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "anders-anders"}
        wrong_current = {"current": "falsch", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
        for wrong in (mismatch, wrong_current):
            assert status(client, "POST", "/account/password", data=wrong) == (gate or 400)
        unnamed = {"name": " ", "scope": "read"}
        assert status(client, "POST", "/account/tokens", data=unnamed) == (gate or 400), role
        made = {"name": "Kalender", "scope": "read"}
        assert status(client, "POST", "/account/tokens", data=made) == (gate or 200), role
    after = _users(kb)
    for name, (role, active, _) in before.items():
        assert after[name] == (role, active, f"Neu {name}"), name


def test_password_change_keeps_this_session(world, kb):
    clients, _ = world
    client = clients["leser"]
    change = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert status(client, "POST", "/account/password", data=change) == 302
    assert status(client, "GET", "/account") == 200


def test_reset_login_and_logout_forms(world, kb, app):
    clients, _ = world
    token = auth.issue_reset_token(kb, "leser", SYSTEM, utcnow())
    for role in ROLES:
        client = clients[role]
        assert status(client, "POST", "/reset/erfunden", data={}) == 404, role
        mismatch = {"new": NEW_PASSWORD, "repeat": "anders-anders"}
        assert status(client, "POST", f"/reset/{token}", data=mismatch) == 400, role
        short = {"new": "kurz", "repeat": "kurz"}
        assert status(client, "POST", f"/reset/{token}", data=short) == 400, role
        wrong = {"username": f"niemand-{role}", "password": "falsch"}
        assert status(client, "POST", "/login", data=wrong) == 401, role
        # A failed sign-in leaves the signed-in session as it was.
        assert status(client, "GET", "/account") == (302 if role == "anon" else 200), role
        if role != "anon":
            assert login(app.test_client(), role).status_code == 302, role
    # The link is the credential, not the session: whoever holds it may use it, once.
    good = {"new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert status(clients["anon"], "POST", f"/reset/{token}", data=good) == 302
    assert status(clients["anon"], "POST", f"/reset/{token}", data=good) == 404
    assert status(clients["leser"], "GET", "/account") == 302  # its sessions ended
    for role in ROLES:
        assert status(clients[role], "POST", "/logout") == 302, role
        assert status(clients[role], "GET", "/account") == 302, role  # signed out
