"""Sign in and out, one's own account, password change and reset links.

The session cookie holds only the user id and the account's session epoch;
every request reloads the account, so a disabled account or a changed
password ends all other sessions at their next request. Flask signs the
cookie and rejects it after ``PERMANENT_SESSION_LIFETIME`` (a forged or
expired cookie simply means "anonymous").
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from kb.errors import KbError
from kb.models import ROLES, User, utcnow
from kb.services import accounts, auth, calendar, workflow
from kb.services.reference import all_districts
from kb.web import kb, safe_next, viewer
from kb.web.i18n import error_text

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


def client_address() -> str:
    return (request.remote_addr or "")[:64]


@bp.before_app_request
def load_viewer() -> None:
    """Turn the session into a viewer; end sessions of disabled or changed accounts."""
    g.user = None
    uid = session.get("uid")
    if uid is None:
        return
    with kb().db.reading() as db:
        user = db.get(User, uid) if isinstance(uid, int) else None
        if user is None or not user.active or user.session_epoch != session.get("epoch"):
            session.clear()
            return
        g.user = user
        g.viewer = accounts.viewer_for(db, user, client_address())


def register_context(app: Flask) -> None:
    @app.context_processor
    def current_user() -> dict[str, object]:
        user = g.get("user")
        return {
            "open_mode": _open_mode(),
            "current_user": user,
            "current_role": ROLES.get(user.role, "") if user else "",
            "is_editor": viewer().is_editor,
            "is_admin": viewer().has_role("admin"),
        }


def _open_mode() -> bool:
    """No account exists yet: everyone is anonymous and may upload (see the README)."""
    if "open_mode" not in g:
        try:
            with kb().db.reading() as db:
                g.open_mode = not accounts.accounts_exist(db)
        except SQLAlchemyError:  # the error page must still render when the DB is away
            logger.warning("Could not tell whether accounts exist", exc_info=True)
            g.open_mode = False
    return bool(g.open_mode)


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, username="")
    username = request.form.get("username", "")[:200]
    try:
        user = auth.authenticate(
            kb(), username, request.form.get("password", "")[:1024], client_address(), utcnow()
        )
    except KbError as exc:
        return render_template(
            "auth/login.html", next_url=next_url, username=username, error=error_text(exc)
        ), exc.status
    lang = session.get("lang")
    session.clear()  # no session fixation: a fresh session for the signed-in user
    if lang:  # the chosen language is no secret: keep it
        session["lang"] = lang
    session.permanent = True
    session["uid"], session["epoch"] = user.id, user.session_epoch
    flash(_("Willkommen, %(name)s.", name=user.display_name or user.username))
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Response:
    auth.sign_out(kb(), viewer())
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Sie sind abgemeldet."))
    return redirect(url_for("pages.home"))


def _require_user() -> User:
    user = g.get("user")
    if user is None:
        abort(redirect(url_for("auth.login", next=request.path)))
    return user


@bp.route("/account", methods=["GET", "POST"])
def account():  # type: ignore[no-untyped-def]
    """One's own profile. The form has no role field, and a posted one is ignored."""
    user = _require_user()
    error = None
    if request.method == "POST":
        form = request.form
        profile = accounts.Profile(
            display_name=form.get("display_name", ""),
            email=form.get("email", ""),
            home_district_ags=form.get("home_district_ags") or None,
            organisation=form.get("organisation", ""),
        )
        try:
            accounts.update_profile(kb(), user.id, profile, viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Ihre Angaben sind gespeichert."))
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        user=user,
        districts=all_districts(kb()),
        own=workflow.own_items(kb(), viewer()),
        calendar_feed=calendar.feed_status(kb(), user.id),
        public_feed_url=kb().base_url + url_for("guidance.public_feed"),
        error=error,
    ), (400 if error else 200)


@bp.route("/account/password", methods=["GET", "POST"])
def password():  # type: ignore[no-untyped-def]
    user = _require_user()
    if request.method == "GET":
        return render_template("auth/password.html")
    form = request.form
    if form.get("new", "") != form.get("repeat", ""):
        error = _("Die beiden neuen Passwörter stimmen nicht überein.")
        return render_template("auth/password.html", error=error), 400
    try:
        auth.change_password(kb(), user.id, form.get("current", ""), form.get("new", ""), viewer())
    except KbError as exc:
        return render_template("auth/password.html", error=error_text(exc)), exc.status
    session["epoch"] = user.session_epoch + 1  # keep this session, end the others
    flash(_("Ihr Passwort ist geändert."))
    return redirect(url_for("auth.account"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):  # type: ignore[no-untyped-def]
    """Set a password through the one-time link an admin handed out."""
    now = utcnow()
    username = auth.reset_token_user(kb(), token, now)  # NotFound -> German 404 page
    if request.method == "GET":
        return render_template("auth/reset.html", username=username)
    form = request.form
    if form.get("new", "") != form.get("repeat", ""):
        error = _("Die beiden Passwörter stimmen nicht überein.")
        return render_template("auth/reset.html", username=username, error=error), 400
    try:
        auth.redeem_reset_token(kb(), token, form.get("new", ""), now)
    except KbError as exc:
        return render_template(
            "auth/reset.html", username=username, error=error_text(exc)
        ), exc.status
    session.clear()
    flash(_("Ihr Passwort ist gesetzt. Bitte melden Sie sich an."))
    return redirect(url_for("auth.login"))
