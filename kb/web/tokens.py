"""``/account/tokens``: one's personal API tokens — make one (the secret is shown once),
see when each was last used, revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kb.errors import KbError, Unauthorized
from kb.models import TOKEN_SCOPES
from kb.services import tokens
from kb.web import kb, viewer
from kb.web.i18n import error_text

bp = Blueprint("tokens", __name__)


def _require_account() -> None:
    if viewer().is_anonymous:
        raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")


@bp.route("/account/tokens", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    _require_account()
    error = secret = None
    if request.method == "POST":
        try:
            secret = tokens.create_token(
                kb(),
                viewer(),
                request.form.get("name", "")[:200],
                request.form.get("scope", "")[:20],
            )
        except KbError as exc:
            error = error_text(exc)
    return render_template(
        "auth/tokens.html",
        tokens=tokens.list_tokens(kb(), viewer()),
        scopes=TOKEN_SCOPES,
        secret=secret,
        error=error,
    ), (400 if error else 200)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> ResponseReturnValue:
    _require_account()
    tokens.revoke_token(kb(), viewer(), token_id)
    flash(_("Der API-Schlüssel ist widerrufen."))
    return redirect(url_for("tokens.index"))
