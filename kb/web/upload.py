"""The upload form, its result page and the live status of each file."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, session
from flask_babel import gettext as _

from kb.errors import NotFound, ValidationError
from kb.services import items as item_service
from kb.services.reference import all_districts, all_events, all_programmes, all_topics
from kb.web import kb, viewer
from kb.web.forms import item_fields
from kb.web.i18n import error_text

bp = Blueprint("upload", __name__)


def _meta_from_form() -> item_service.ItemMeta:
    form = request.form
    return item_service.ItemMeta(
        **item_fields(form),
        kind=form.get("kind", "sonstiges"),
        event_slug=form.get("event") or None,
        # Open mode publishes; a signed-in user's choice (or, without one, the
        # service's default: intern).
        access=(form.get("access") or None) if viewer().user_id else None,
    )


def _choices() -> dict[str, object]:
    """Form choices; access is chosen only by signed-in users (open mode publishes)."""
    return {
        "file_limit_mb": current_app.config["KB_MAX_FILE_MB"],
        "districts": all_districts(kb()),
        "events": all_events(kb()),
        "topics": all_topics(kb()),
        "programmes": all_programmes(kb()),
        "choose_access": viewer().user_id is not None,
    }


@bp.route("/upload", methods=["GET", "POST"])
def upload():  # type: ignore[no-untyped-def]
    limit = current_app.config["KB_MAX_UPLOAD_MB"]
    item_service.check_upload_allowed(kb(), viewer())
    if request.method == "GET":
        return render_template("upload.html", limit_mb=limit, form={}, **_choices())
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        return render_template(
            "upload.html",
            limit_mb=limit,
            form=request.form,
            error=_("Bitte wählen Sie mindestens eine Datei aus."),
            **_choices(),
        ), 400
    uploads = [item_service.UploadFile(f.filename or "", f.stream) for f in files]
    return _store(uploads, twins=False)


def _store(uploads: list[item_service.UploadFile], twins: bool):  # type: ignore[no-untyped-def]
    limit = current_app.config["KB_MAX_UPLOAD_MB"]
    try:
        outcomes = item_service.upload_files(kb(), uploads, _meta_from_form(), viewer(), twins)
    except ValidationError as exc:
        if _wants_fragment():
            return {"error": exc.code, "message": error_text(exc)}, 400
        return render_template(
            "upload.html", limit_mb=limit, form=request.form, error=error_text(exc), **_choices()
        ), 400
    duplicates = [o.sha256 for o in outcomes if o.status == "duplicate"]
    if duplicates:  # only bytes this browser itself sent may later become a twin
        remembered = session.get("uploaded", []) + [sha[:PREFIX] for sha in duplicates]
        session["uploaded"] = remembered[-MAX_REMEMBERED:]
    stored = any(o.status in ("queued", "failed") for o in outcomes)
    status = 201 if stored else (200 if duplicates else 400)
    if _wants_fragment():  # the upload page's script sends one file per request
        html = render_template("_upload_outcomes.html", outcomes=outcomes, form=request.form)
        return {"html": html}, status
    return render_template("upload_result.html", outcomes=outcomes, form=request.form), status


def _wants_fragment() -> bool:
    return request.accept_mimetypes.best == "application/json"


#: How many duplicate uploads a browser may turn into twins later.
#: Only the first 16 hex digits (64 bits) are kept: the session is a cookie of at most 4 KB.
MAX_REMEMBERED = 20
PREFIX = 16


@bp.post("/upload/twin")
def twin():  # type: ignore[no-untyped-def]
    """Create a separate item for a file that was a duplicate, after the user asked for it.

    The bytes are already stored; they are taken from the store only if this
    browser uploaded them (its session remembers their hashes), so a guessed
    SHA-256 never reaches someone else's file.
    """
    item_service.check_upload_allowed(kb(), viewer())
    sha = request.form.get("sha256", "")
    known = len(sha) == 64 and sha[:PREFIX] in session.get("uploaded", [])
    if not known or not kb().store.exists(sha):
        raise NotFound("Diese Datei gibt es nicht.", "This file does not exist.")
    name = request.form.get("filename", "")[:255] or "Datei"
    with kb().store.path(sha).open("rb") as stream:
        return _store([item_service.UploadFile(name, stream)], twins=True)


@bp.get("/upload/status")
def status() -> dict[str, object]:
    """JSON for the upload page's live status (polled by a small script)."""
    raw = request.args.get("ids", "")
    ids = [int(x) for x in raw.split(",") if x.strip().isdigit()][:200]
    rows = item_service.file_statuses(kb(), ids, viewer())
    return {
        "files": [
            {
                "id": r.file_version_id,
                "item_id": r.item_id,
                "name": r.filename,
                "state": r.state,
                "message": r.message_de,
            }
            for r in rows
        ]
    }
