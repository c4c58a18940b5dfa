"""The authorisation matrix: every route, every role, items in every state and access level.

The expected status codes are written out here from the rules as the issue
states them, independently of :mod:`kb.services.access`, so a change to the
rule that breaks a promise fails here. A route or method added to the app
without a row in this matrix fails :func:`test_every_route_is_in_the_matrix`.
Form submissions are in ``test_authz_forms.py``, decks shared only with an
event's participants in ``test_authz_participants.py`` (same accounts and
items: ``tests/authz_support.py``).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from authz_support import ACCESS, ROLES, make_world, may_view
from authz_support import first_file_id as _file_id
from authz_support import status as _status

from kb.models import Event
from kb.services import events, jobs
from kb.services.access import SYSTEM, Viewer

#: One step out of each state, and whether an owning Autor may take it.
STEP = {
    "draft": ("review", True),
    "review": ("published", False),
    "published": ("archived", False),
    "archived": ("published", False),
}
#: Every (endpoint, HTTP method) the app answers, each with rows below that assert its exact
#: status per role. HEAD and OPTIONS are left out (Flask derives them from GET).
ROUTES_IN_MATRIX = {
    "pages.home": "GET", "pages.search": "GET", "pages.item": "GET", "pages.download": "GET",
    "pages.handout": "GET", "pages.healthz": "GET", "pages.favicon": "GET", "static": "GET",
    "editing.edit": "GET POST", "editing.change_state": "POST",
    "upload.upload": "GET POST", "upload.status": "GET", "upload.twin": "POST",
    "discovery.complete": "GET", "discovery.save": "POST", "discovery.delete": "POST",
    "admin.review": "GET", "admin.users": "GET POST", "admin.user": "GET POST",
    "admin.reset_link": "POST", "admin.audit_log": "GET", "admin.audit_csv": "GET",
    "auth.login": "GET POST", "auth.logout": "POST", "auth.account": "GET POST",
    "auth.password": "GET POST", "auth.reset": "GET POST",
    "mappe.show": "GET", "mappe.update": "POST", "mappe.add_item": "POST",
    "mappe.add_search": "POST", "mappe.remove": "POST", "mappe.move": "POST",
    "mappe.pdf": "GET", "mappe.originals": "GET", "mappe.pdf_status": "GET",
    "mappe.pdf_file": "GET",
    "versions.upload": "POST", "versions.make_current": "POST", "versions.diff": "GET",
    "versions.page_image": "GET",
    "events.timeline": "GET", "events.series": "GET", "events.show": "GET",
    "events.materials_zip": "GET", "events.handout": "GET", "events.new": "GET POST",
    "events.edit": "GET POST", "events.agenda_form": "GET POST", "events.delete": "GET POST",
    "events.series_edit": "GET POST", "events.deadlines_form": "GET POST",
    "network.districts": "GET", "network.district": "GET", "network.topics": "GET",
    "network.topic": "GET", "network.organisations": "GET", "network.organisation": "GET",
    "directory.persons": "GET POST", "directory.person_edit": "GET POST",
    "directory.person_delete": "POST", "directory.persons_merge": "POST",
    "directory.organisation_new": "GET POST", "directory.organisation_edit": "GET POST",
    "directory.organisation_delete": "POST", "directory.organisations_merge": "POST",
    "directory.vocabulary_page": "GET POST",
    "guidance.overview": "GET", "guidance.upcoming": "GET", "guidance.changes": "GET",
    "guidance.edit": "GET POST", "guidance.qa_new": "GET POST", "guidance.qa_show": "GET",
    "guidance.qa_edit": "GET POST", "guidance.qa_delete": "POST",
    "guidance.public_feed": "GET", "guidance.personal_feed": "GET",
    "guidance.create_feed": "POST", "guidance.revoke_feed": "POST",
    "api.list_items_view": "GET", "api.get_item": "GET", "api.create_items": "POST",
    "api.update_item": "PATCH", "api.change_state": "POST", "api.delete_item": "DELETE",
    "api.list_versions": "GET", "api.upload_version": "POST", "api.version_file": "GET",
    "api.search": "GET", "api.districts": "GET", "api.jobs": "GET", "api.item_handout": "GET",
    "api.openapi": "GET", "api.list_series": "GET", "api.get_series": "GET",
    "api.list_events": "GET", "api.get_event": "GET", "api.create_event": "POST",
    "api.update_event": "PATCH", "api.delete_event": "DELETE", "api.put_agenda": "PUT",
    "api.event_materials_zip": "GET", "api.event_handout": "GET", "api.list_guidance": "GET",
    "api.get_guidance": "GET", "api.put_guidance": "PUT", "api.guidance_changes": "GET",
    "api.guidance_handout": "GET", "api.list_deadlines": "GET", "api.list_qa": "GET",
    "api.get_qa": "GET", "api.create_qa": "POST", "api.update_qa": "PATCH",
    "api.delete_qa": "DELETE", "api.bundle_handout": "POST", "apidocs.index": "GET",
    "tokens.index": "GET POST", "tokens.revoke": "POST", "trash.confirm_delete": "GET",
    "trash.delete": "POST", "trash.index": "GET", "trash.restore": "POST",
    "site.show": "GET", "site.edit": "GET POST",
    "upload.token": "GET", "upload.signed_in": "GET",
}  # fmt: skip


@pytest.fixture
def world(app, kb, add_user, set_item):
    return make_world(app, kb, add_user, set_item)


def test_every_route_is_in_the_matrix(app):
    """Route and method: a new POST on an old page (a form) needs its own rows too."""
    answered = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    listed = {(e, m) for e, methods in ROUTES_IN_MATRIX.items() for m in methods.split()}
    assert answered == listed


def test_item_routes(world, kb):
    clients, items = world
    for role, ((state, access), item_id) in itertools.product(ROLES, items.items()):
        client = clients[role]
        seen = may_view(role, state, access)
        expect = 200 if seen else 404
        where = (role, state, access)
        assert _status(client, "GET", f"/items/{item_id}") == expect, where
        file_id = _file_id(kb, item_id)
        assert _status(client, "GET", f"/items/{item_id}/files/{file_id}") == expect, where
        assert _status(client, "GET", f"/items/{item_id}/handout.pdf") == expect, where
        if role in ("autor_own", "redaktion", "admin"):
            edit = 200
        elif not seen:
            edit = 404
        else:
            edit = 302 if role == "anon" else 403
        assert _status(client, "GET", f"/items/{item_id}/edit") == edit, where
        mappe = _status(client, "POST", "/mappe/items", data={"item_id": item_id})
        assert mappe == (302 if seen else 404), where
        # Text files have no page images; their access is tested in test_previews.py.
        image = _status(client, "GET", f"/items/{item_id}/files/{file_id}/pages/1.png")
        assert image == 404, where
        diff = _status(client, "GET", f"/items/{item_id}/versions/{file_id}/diff/{file_id}")
        assert diff == (200 if seen else 404), where
        changer = role in ("autor_own", "redaktion", "admin")
        files = 302 if changer else (403 if seen else 404)
        current = _status(client, "POST", f"/items/{item_id}/versions/{file_id}/current")
        assert current == files, where
        new = _status(client, "POST", f"/items/{item_id}/versions", data={})
        assert new == (400 if changer else files), where  # 400: allowed, but no file sent
        assert _status(client, "GET", f"/items/{item_id}/guidance") == edit, where
        # 400: allowed, but the matrix items are not of the kind Leitfaden.
        guide = _status(client, "POST", f"/items/{item_id}/guidance", data={})
        assert guide == (400 if edit == 200 else edit), where
        # No predecessor (and no guidance): 404 for everyone.
        assert _status(client, "GET", f"/items/{item_id}/changes") == 404, where


def test_workflow_steps(world, set_item):
    clients, items = world
    for role, ((state, access), item_id) in itertools.product(ROLES, items.items()):
        target, owner_may = STEP[state]
        allowed = role in ("redaktion", "admin") or (role == "autor_own" and owner_may)
        if not may_view(role, state, access):
            expect = 404
        else:
            expect = 302 if allowed else 403
        got = _status(clients[role], "POST", f"/items/{item_id}/state", data={"target": target})
        assert got == expect, (role, state, access)
        if got == 302:
            set_item(item_id, state=state)  # back, for the next role


def test_role_pages(world):
    clients, _ = world
    table = {
        "/upload": {"anon": 302, "leser": 403},
        "/review": {"anon": 302, "leser": 403, "autor_own": 403, "autor_other": 403},
        "/admin/users": {"anon": 302, "admin": 200},
        "/admin/users/leser": {"anon": 302, "admin": 200},
        "/admin/audit": {"anon": 302, "admin": 200},
        "/admin/audit.csv": {"anon": 302, "admin": 200},
        "/account": {"anon": 302},
        "/account/password": {"anon": 302},
    }
    for path, special in table.items():
        for role in ROLES:
            if path.startswith("/admin"):
                default = 403
            else:
                default = 200
            expect = special.get(role, default)
            assert _status(clients[role], "GET", path) == expect, (path, role)
    for role in ROLES:
        expect = {"anon": 302, "admin": 200}.get(role, 403)
        got = _status(clients[role], "POST", "/admin/users/leser/reset")
        assert got == expect, role
        twin = {"anon": 302, "leser": 403}.get(role, 404)  # 404: no such upload of theirs
        assert _status(clients[role], "POST", "/upload/twin", data={"sha256": "0" * 64}) == twin


def test_open_pages_answer_everyone(world):
    clients, _ = world
    for role in ROLES:
        client = clients[role]
        for path in ("/", "/search?q=Matrixwort", "/search/complete?q=matr", "/login",
                     "/healthz", "/upload/status?ids=1,2,3", "/static/kb.css"):  # fmt: skip
            assert _status(client, "GET", path) == 200, (path, role)
        for path in ("/mappe", "/mappe.pdf", "/mappe.zip"):
            assert _status(client, "GET", path) == 200, (path, role)
        assert _status(client, "POST", "/mappe", data={"title": "T"}) == 302
        assert _status(client, "POST", "/mappe/searches", data={"qs": "q=a"}) == 302
        assert _status(client, "POST", "/mappe/entries/999/remove") == 404
        assert _status(client, "GET", "/mappe/pdf/999") == 404  # no such (or not my) job
        assert _status(client, "GET", "/mappe/pdf/999/Mappe.pdf") == 404
        assert _status(client, "POST", "/mappe/entries/999/move", data={"direction": "up"}) == 404
        assert _status(client, "GET", "/reset/erfunden") == 404
        assert _status(client, "GET", "/favicon.ico") == 404
        assert _status(client, "POST", "/search/saved", data={"name": "x", "qs": "q=a"}) == 302
        assert _status(client, "POST", "/search/saved/999/delete") == 404


def test_upload_helpers(world):
    """The upload script's fresh CSRF token and its "signed in, go back" page: every role,
    since a lost session is exactly when they are needed; neither reveals or changes data."""
    clients, _ = world
    for role in ROLES:
        assert _status(clients[role], "GET", "/upload/token") == 200, role
        assert _status(clients[role], "GET", "/upload/signed-in") == 200, role


def test_site_pages(world):
    """Impressum, Datenschutz, Barrierefreiheit: everyone reads them, only Admin edits."""
    clients, _ = world
    for role in ROLES:
        client = clients[role]
        gate = {"anon": 302, "admin": 200}.get(role, 403)
        for slug in ("impressum", "datenschutz", "barrierefreiheit"):
            assert _status(client, "GET", f"/{slug}") == 200, (slug, role)
            assert _status(client, "GET", f"/{slug}/edit") == gate, (slug, role)
            posted = _status(client, "POST", f"/{slug}/edit", data={"body": ""})
            assert posted == (302 if role == "admin" else gate), (slug, role)
        assert _status(client, "GET", "/impressum-gibt-es-nicht/edit") == 404, role


def test_network_pages(world):
    """Browse pages answer everyone; the directory and vocabulary pages are Redaktion's."""
    clients, _ = world
    for role in ROLES:
        client = clients[role]
        for path in ("/districts", "/districts/15002", "/topics", "/topics/beratung",
                     "/organisations", "/organisations/lvwa"):  # fmt: skip
            assert _status(client, "GET", path) == 200, (path, role)
        for path in ("/districts/99999", "/topics/nichts", "/organisations/nichts"):
            assert _status(client, "GET", path) == 404, (path, role)
        editor = role in ("redaktion", "admin")
        gate = {"anon": 302}.get(role, 200 if editor else 403)
        for path in ("/persons", "/admin/vocabulary", "/organisations/new",
                     "/organisations/lvwa/edit"):  # fmt: skip
            assert _status(client, "GET", path) == gate, (path, role)
        person = _status(client, "GET", "/persons/9999/edit")  # no such person
        assert person == (404 if editor else gate), role
        posts = {
            "/persons/merge": 302, "/organisations/merge": 302, "/admin/vocabulary": 302,
            "/persons": 302, "/persons/9999/delete": 404, "/organisations/nichts/delete": 404,
            "/persons/9999/edit": 404, "/organisations/nichts/edit": 404,
            "/organisations/new": 400,  # allowed, but no name given
        }  # fmt: skip
        for path, allowed in posts.items():
            expect = {"anon": 302}.get(role, allowed if editor else 403)
            assert _status(client, "POST", path, data={}) == expect, (path, role)


def test_guidance_qa_and_calendar_routes(world, kb):
    from kb.services import calendar
    from kb.services.accounts import viewer_by_name

    clients, _ = world
    editor_only = {"anon": 302, "leser": 403, "autor_own": 403, "autor_other": 403}
    for role in ROLES:
        client = clients[role]
        for path in ("/guidance", "/deadlines", "/calendar.ics"):
            assert _status(client, "GET", path) == 200, (path, role)
        assert _status(client, "GET", "/calendar/erfunden.ics") == 404, role
        assert _status(client, "GET", "/qa/new") == editor_only.get(role, 200), role
        assert _status(client, "POST", "/qa/new", data={}) == editor_only.get(role, 400), role
        for method, path in (("GET", "/qa/999/edit"), ("POST", "/qa/999/edit"),
                             ("POST", "/qa/999/delete")):  # fmt: skip
            assert _status(client, method, path) == editor_only.get(role, 404), (path, role)
        signed_in = role != "anon"
        assert _status(client, "POST", "/account/calendar") == (200 if signed_in else 302)
        assert _status(client, "POST", "/account/calendar/revoke") == 302, role
        if signed_in:
            token = calendar.create_feed_token(kb, viewer_by_name(kb, role).user_id)
            assert _status(client, "GET", f"/calendar/{token}.ics") == 200, role
    # A Q&A entry's page: public ones for everyone, internal ones for members only.
    from kb.services import qa
    from kb.services.access import SYSTEM

    entries = {a: qa.create(kb, qa.QAData(f"Frage {a}?", access=a), SYSTEM) for a in ACCESS}
    for role in ROLES:
        for access, qa_id in entries.items():
            seen = access == "public" or role != "anon"
            got = _status(clients[role], "GET", f"/qa/{qa_id}")
            assert got == (200 if seen else 404), (role, access)
        assert _status(clients[role], "GET", "/qa/9999") == 404, role


def test_search_counts_only_what_each_role_may_see(world, kb):
    """Totals (and so facet counts) are filtered in the index: archived ones are left out."""
    from kb.services.accounts import viewer_by_name
    from kb.services.search import run_search

    _, items = world
    for role in ROLES:
        viewer = Viewer() if role == "anon" else viewer_by_name(kb, role)
        result = run_search(kb, "Matrixwort", viewer)
        expected = {
            item_id
            for (state, access), item_id in items.items()
            if state != "archived" and may_view(role, state, access)
        }
        assert {h.item_id for h in result.hits} == expected, role
        assert result.total == len(expected), role
        kinds = {f.name: sum(v.count for v in f.values) for f in result.facets}
        assert kinds.get("kind", 0) == len(expected), role


def test_event_routes(world, kb, set_item):
    """Events: everyone reads public ones, members internal ones; only editors change them."""
    clients, items = world
    series = events.create_series(kb, events.SeriesData("Reihe"), SYSTEM)
    day = dt.date(2025, 3, 14)
    slugs = {
        access: events.create_event(
            kb,
            events.EventData(f"Werkstatt {access}", day, series_slug=series, access=access),
            SYSTEM,
        )
        for access in ACCESS
    }
    with kb.db.reading() as session:
        ids = {a: session.query(Event.id).filter_by(slug=s).scalar() for a, s in slugs.items()}
    for access in ACCESS:  # a material in each, so that deleting without detaching is refused
        set_item(items[("published", access)], event_id=ids[access])
    for role in ROLES:
        client = clients[role]
        editor = role in ("redaktion", "admin")
        change = 200 if editor else (302 if role == "anon" else 403)
        assert _status(client, "GET", "/events") == 200, role
        assert _status(client, "GET", f"/series/{series}") == 200, role
        assert _status(client, "GET", "/series/nix") == 404, role
        assert _status(client, "GET", f"/series/{series}/edit") == change, role
        assert _status(client, "GET", "/series/nix/edit") == 404, role
        posted = _status(client, "POST", f"/series/{series}/edit", data={"title": ""})
        assert posted == (400 if editor else change), role
        assert _status(client, "GET", "/events/new") == change, role
        post_new = _status(client, "POST", "/events/new", data={})
        assert post_new == (400 if editor else change), role
        for access, slug in slugs.items():
            seen = access == "public" or role != "anon"
            where = (role, access)
            assert _status(client, "GET", f"/events/{slug}") == (200 if seen else 404), where
            zipped = _status(client, "GET", f"/events/{slug}/materials.zip")
            assert zipped == (200 if seen else 404), where
            handout = _status(client, "GET", f"/events/{slug}/handout.pdf")
            assert handout == (200 if seen else 404), where
            for page in ("edit", "agenda", "delete", "deadlines"):
                got = _status(client, "GET", f"/events/{slug}/{page}")
                assert got == (change if seen else 404), (*where, page)
            refused = _status(client, "POST", f"/events/{slug}/delete", data={})
            assert refused == ((400 if editor else change) if seen else 404), where
            agenda = _status(client, "POST", f"/events/{slug}/agenda", data={"rows": "0"})
            assert agenda == ((302 if editor else change) if seen else 404), where
            edit = _status(client, "POST", f"/events/{slug}/edit", data={})
            assert edit == ((400 if editor else change) if seen else 404), where
            undated = {"title": "Anmeldeschluss", "due_on": "bald", "note": ""}
            deadlines = _status(client, "POST", f"/events/{slug}/deadlines", data=undated)
            assert deadlines == ((400 if editor else change) if seen else 404), where
            deadlines = _status(client, "POST", f"/events/{slug}/deadlines", data={})
            assert deadlines == ((302 if editor else change) if seen else 404), where
    assert _status(clients["anon"], "GET", "/events/gibt-es-nicht") == 404


def _restore(kb, item_id):
    from kb.services.access import SYSTEM
    from kb.services.trash import restore_item

    restore_item(kb, item_id, SYSTEM)
    jobs.run_until_idle(kb)


def _expect_change(role, seen, anon_seen):
    """Owner (Autor) and Redaktion may; hidden answers 404; a visible one 403 (or login)."""
    if role in ("autor_own", "redaktion", "admin"):
        return None
    if not seen:
        return 404
    return anon_seen if role == "anon" else 403


def test_api_item_routes(world, kb):
    clients, items = world
    for role, ((state, access), item_id) in itertools.product(ROLES, items.items()):
        client, where = clients[role], (role, state, access)
        seen = may_view(role, state, access)
        expect = 200 if seen else 404
        file_id = _file_id(kb, item_id)
        for path in (f"/api/v1/items/{item_id}", f"/api/v1/items/{item_id}/versions",
                     f"/api/v1/items/{item_id}/versions/{file_id}/file"):  # fmt: skip
            assert _status(client, "GET", path) == expect, (path, *where)
        jobs_seen = client.get(f"/api/v1/jobs?file={file_id}").get_json()["jobs"]
        assert len(jobs_seen) == (1 if seen else 0), where
        listed = client.get("/api/v1/items?per_page=100").get_json()["items"]
        assert (item_id in {i["id"] for i in listed}) == seen, where
        change = _expect_change(role, seen, 403)
        patch = client.patch(f"/api/v1/items/{item_id}", json={"summary": f"von {role}"})
        assert patch.status_code == (change or 200), where
        delete = _status(client, "DELETE", f"/api/v1/items/{item_id}")
        assert delete == (change or 204), where
        if delete == 204:
            _restore(kb, item_id)
        confirm = _status(client, "GET", f"/items/{item_id}/delete")
        assert confirm == (_expect_change(role, seen, 302) or 200), where
        page_delete = _status(client, "POST", f"/items/{item_id}/delete")
        assert page_delete == (_expect_change(role, seen, 302) or 302), where
        if page_delete == 302 and role in ("autor_own", "redaktion", "admin"):
            _restore(kb, item_id)
        new = _status(client, "POST", f"/api/v1/items/{item_id}/versions", data={})
        assert new == (400 if change is None else change), where  # 400: allowed, no file


def test_api_workflow_steps(world, set_item):
    clients, items = world
    for role, ((state, access), item_id) in itertools.product(ROLES, items.items()):
        target, owner_may = STEP[state]
        allowed = role in ("redaktion", "admin") or (role == "autor_own" and owner_may)
        if not may_view(role, state, access):
            expect = 404
        else:
            expect = 200 if allowed else 403
        got = clients[role].post(f"/api/v1/items/{item_id}/state", json={"target": target})
        assert got.status_code == expect, (role, state, access)
        if got.status_code == 200:
            set_item(item_id, state=state)


def test_api_and_trash_pages_by_role(world, kb):
    clients, _ = world
    for role in ROLES:
        client = clients[role]
        for path in ("/api", "/api/v1/items", "/api/v1/search?q=Matrixwort",
                     "/api/v1/districts", "/api/v1/openapi.json"):  # fmt: skip
            assert _status(client, "GET", path) == 200, (path, role)
        upload = {"anon": 401, "leser": 403}.get(role, 400)  # 400: allowed, no file sent
        assert _status(client, "POST", "/api/v1/items", data={}) == upload, role
        trash = {"anon": 302, "redaktion": 200, "admin": 200}.get(role, 403)
        assert _status(client, "GET", "/admin/trash") == trash, role
        restore = {"anon": 302, "redaktion": 404, "admin": 404}.get(role, 403)
        assert _status(client, "POST", "/admin/trash/1/restore") == restore, role
        assert _status(client, "GET", "/account/tokens") == (302 if role == "anon" else 200)
        revoke = _status(client, "POST", "/account/tokens/999/revoke")
        assert revoke == (302 if role == "anon" else 404), role


def test_api_tokens_carry_their_roles_and_scope(world, kb):
    """A token sees what its account sees; a read token changes nothing, whoever owns it."""
    from api_helpers import bearer, token_for

    from kb.services.accounts import viewer_by_name

    clients, items = world
    anon = clients["anon"]
    for role in ROLES[1:]:
        viewer = viewer_by_name(kb, role)
        read = bearer(token_for(kb, viewer.user_id, "read", viewer.roles[0]))
        for (state, access), item_id in items.items():
            expect = 200 if may_view(role, state, access) else 404
            got = anon.get(f"/api/v1/items/{item_id}", headers=read).status_code
            assert got == expect, (role, state, access)
            patch = anon.patch(f"/api/v1/items/{item_id}", json={"summary": "x"}, headers=read)
            assert patch.status_code == 403, (role, state, access)


def _events_with_materials(kb, items, set_item):
    """A public and an internal event of one series, each holding one published material."""
    series = events.create_series(kb, events.SeriesData("Reihe"), SYSTEM)
    slugs = {
        access: events.create_event(
            kb,
            events.EventData(
                f"Werkstatt {access}", dt.date(2025, 3, 14), series_slug=series, access=access
            ),
            SYSTEM,
        )  # fmt: skip
        for access in ACCESS
    }
    with kb.db.reading() as session:
        ids = {a: session.query(Event.id).filter_by(slug=s).scalar() for a, s in slugs.items()}
    for access in ACCESS:
        set_item(items[("published", access)], event_id=ids[access])
    return series, slugs


def _change(role, seen):
    """API writes reserved to Redaktion: hidden 404, then anonymous 401, then others 403."""
    if not seen:
        return 404
    if role == "anon":
        return 401
    return None if role in ("redaktion", "admin") else 403


def test_api_event_routes(world, kb, set_item):
    clients, items = world
    series, slugs = _events_with_materials(kb, items, set_item)
    for role in ROLES:
        client = clients[role]
        assert _status(client, "GET", "/api/v1/series") == 200, role
        assert _status(client, "GET", f"/api/v1/series/{series}") == 200, role
        assert _status(client, "GET", "/api/v1/series/nix") == 404, role
        listed = {e["slug"] for e in client.get("/api/v1/events").get_json()["events"]}
        new = _status(client, "POST", "/api/v1/events", json={})
        assert new == {"anon": 401, "redaktion": 400, "admin": 400}.get(role, 403), role
        for access, slug in slugs.items():
            seen, where = access == "public" or role != "anon", (role, access)
            url = f"/api/v1/events/{slug}"
            assert (slug in listed) == seen, where
            for path in (url, f"{url}/materials.zip", f"{url}/handout.pdf"):
                assert _status(client, "GET", path) == (200 if seen else 404), (path, *where)
            change = _change(role, seen)
            assert _status(client, "PATCH", url, json={}) == (change or 200), where
            agenda = _status(client, "PUT", f"{url}/agenda", json={"entries": []})
            assert agenda == (change or 200), where
            # 409: allowed, but the event still has a material.
            assert _status(client, "DELETE", url) == (change or 409), where
    assert _status(clients["anon"], "GET", "/api/v1/events/gibt-es-nicht") == 404


def _guidance_body():
    return {"issuing_body": "", "valid_from": None, "valid_until": None,
            "supersedes_id": None, "body": "- [ ] Antrag"}  # fmt: skip


def test_api_guidance_routes(world, kb, set_item):
    """The matrix items as guidance: read where the item is readable, fields for its editors."""
    clients, items = world
    for item_id in items.values():
        set_item(item_id, kind="leitfaden")
    for role in ROLES:
        client = clients[role]
        listed = {
            g["id"] for g in client.get("/api/v1/guidance?per_page=100").get_json()["guidance"]
        }
        assert _status(client, "GET", "/api/v1/deadlines") == 200, role
        for (state, access), item_id in items.items():
            seen, where = may_view(role, state, access), (role, state, access)
            url = f"/api/v1/guidance/{item_id}"
            assert _status(client, "GET", url) == (200 if seen else 404), where
            in_force = state in ("published", "archived")
            assert (item_id in listed) == (seen and in_force), where
            assert _status(client, "GET", f"{url}/changes") == 404, where  # no predecessor
            put = _status(client, "PUT", url, json=_guidance_body())
            assert put == (_expect_change(role, seen, 401) or 200), where
        for key in (("published", "internal"), ("draft", "internal")):
            seen = may_view(role, *key)
            handout = _status(client, "GET", f"/api/v1/guidance/{items[key]}/handout.pdf")
            assert handout == (200 if seen else 404), (role, key)
            both = {"item_ids": [items[("published", "public")], items[key]]}
            bundle = _status(client, "POST", "/api/v1/handouts/bundle", json=both)
            assert bundle == (200 if seen else 404), (role, key)


def test_api_qa_routes(world, kb):
    from kb.services import qa

    clients, _ = world
    entries = {a: qa.create(kb, qa.QAData(f"Frage {a}?", access=a), SYSTEM) for a in ACCESS}
    for role in ROLES:
        client = clients[role]
        editor = role in ("redaktion", "admin")
        gate = {"anon": 401}.get(role, None if editor else 403)
        listed = {e["id"] for e in client.get("/api/v1/qa").get_json()["qa"]}
        for access, qa_id in entries.items():
            seen = access == "public" or role != "anon"
            assert _status(client, "GET", f"/api/v1/qa/{qa_id}") == (200 if seen else 404)
            assert (qa_id in listed) == seen, (role, access)
            patch = _status(client, "PATCH", f"/api/v1/qa/{qa_id}", json={})
            assert patch == (gate or 200), (role, access)
        assert _status(client, "POST", "/api/v1/qa", json={}) == (gate or 400), role
        assert _status(client, "PATCH", "/api/v1/qa/9999", json={}) == (gate or 404), role
        assert _status(client, "DELETE", "/api/v1/qa/9999") == (gate or 404), role
        assert _status(client, "GET", "/api/v1/qa/9999") == 404, role
    for role in ("redaktion", "admin"):
        qa_id = entries.pop("internal" if role == "redaktion" else "public")
        assert _status(clients[role], "DELETE", f"/api/v1/qa/{qa_id}") == 204, role
