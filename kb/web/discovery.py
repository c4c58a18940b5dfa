"""Autocomplete (JSON), saved searches; the spelling suggestion and related items are shown
by the search and item pages themselves."""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from kb.services import discovery
from kb.web import kb, safe_next, viewer

bp = Blueprint("discovery", __name__)


def owner_key(create: bool = False) -> str | None:
    """Whose saved searches: the signed-in user's, else a random key kept in the session."""
    if viewer().user_id is not None:
        return f"user:{viewer().user_id}"
    key = session.get("owner_key")
    if key is None and create:
        key = session["owner_key"] = secrets.token_hex(16)
    return key


@bp.get("/search/complete")
def complete() -> dict[str, object]:
    return {"completions": discovery.completions(kb(), request.args.get("q", ""), viewer())}


@bp.post("/search/saved")
def save() -> Response:
    saved = discovery.save_search(
        kb(), owner_key(create=True), request.form.get("name", ""), request.form.get("qs", "")
    )
    return redirect(url_for("pages.search") + "?" + saved.query_string)


@bp.post("/search/saved/<int:saved_id>/delete")
def delete(saved_id: int) -> Response:
    discovery.delete_saved_search(kb(), owner_key(), saved_id)
    return redirect(safe_next(request.form.get("next"), "pages.search"))
