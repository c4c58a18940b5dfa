"""Administration: users, the audit log (Admin) and the review queue (Redaktion)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.errors import Forbidden, KbError, Unauthorized
from kb.models import ROLES, utcnow
from kb.services import accounts, audit, auth, workflow
from kb.services.reference import all_districts, all_events
from kb.web import kb, viewer
from kb.web.i18n import error_text

bp = Blueprint("admin", __name__)


def require_role(role: str) -> None:
    """Anonymous visitors are sent to the login; signed-in users without the role get 403."""
    if viewer().is_anonymous:
        raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
    if not viewer().has_role(role):
        raise Forbidden(
            "Diese Seite ist der Verwaltung vorbehalten.", "This page is for administrators."
        )


@bp.get("/review")
def review() -> str:
    require_role("redaktion")
    return render_template("admin/review.html", items=workflow.review_queue(kb(), viewer()))


@bp.route("/admin/users", methods=["GET", "POST"])
def users():  # type: ignore[no-untyped-def]
    require_role("admin")
    error = None
    if request.method == "POST":
        form = request.form
        profile = accounts.Profile(
            display_name=form.get("display_name", ""),
            email=form.get("email", ""),
            home_district_ags=form.get("home_district_ags") or None,
            organisation=form.get("organisation", ""),
        )
        name = form.get("username", "")[:80]
        try:
            accounts.add_user(kb(), name, form.get("role", "leser"), viewer(), profile=profile)
            token = auth.issue_reset_token(kb(), name, viewer(), utcnow())
        except KbError as exc:
            error = error_text(exc)
        else:
            return _show_link(name, token, created=True)
    return render_template(
        "admin/users.html",
        users=accounts.list_users(kb()),
        roles=ROLES,
        districts=all_districts(kb()),
        error=error,
        form=request.form,
    ), (400 if error else 200)


def _show_link(name: str, token: str, created: bool = False) -> str:
    # The configured public address, not the request's Host header (proxies, spoofing).
    link = kb().base_url + url_for("auth.reset", token=token)
    return render_template("admin/reset_link.html", name=name, link=link, created=created)


@bp.route("/admin/users/<username>", methods=["GET", "POST"])
def user(username: str):  # type: ignore[no-untyped-def]
    require_role("admin")
    with kb().db.reading() as session:
        account = accounts.get_user(session, username)
        groups = accounts.event_ids_of(session, account.id)
    if request.method == "POST":
        form = request.form
        try:
            accounts.set_role(kb(), username, form.get("role", account.role), viewer())
            accounts.set_event_groups(kb(), username, form.getlist("events")[:200], viewer())
            active = form.get("active") == "1"
            if active != account.active:
                accounts.set_active(kb(), username, active, viewer())
        except KbError as exc:
            flash(error_text(exc), "error")
        else:
            flash(_("Die Änderungen sind gespeichert."))
        return redirect(url_for("admin.user", username=username))
    return render_template(
        "admin/user.html", account=account, roles=ROLES, events=all_events(kb()), groups=groups
    )


@bp.post("/admin/users/<username>/reset")
def reset_link(username: str) -> str:
    require_role("admin")
    token = auth.issue_reset_token(kb(), username, viewer(), utcnow())
    return _show_link(username, token)


@bp.get("/admin/audit")
def audit_log() -> str:
    require_role("admin")
    action = request.args.get("action", "")
    action = action if action in audit.ACTIONS else ""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows = audit.entries(kb(), limit=100, offset=(page - 1) * 100, action=action)
    return render_template(
        "admin/audit.html", rows=rows, actions=audit.ACTIONS, action=action, page=page
    )


@bp.get("/admin/audit.csv")
def audit_csv() -> Response:
    require_role("admin")
    rows = audit.entries(kb(), limit=100_000)
    body = "\ufeff" + audit.as_csv(rows)  # BOM: Excel then reads UTF-8 umlauts correctly
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="kb-protokoll.csv"'
    return response
