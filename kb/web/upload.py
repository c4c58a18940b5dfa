"""The upload form, its result page and the live status of each file.

The page's script (``static/upload.js``) sends one file per request and asks for
JSON; everything it shows comes from here in the UI language (``texts()``, the
status messages), and a lost session gets an answer it can act on (sign in in a
new tab, then send the same files again with a fresh CSRF token).
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf

from kb.errors import NotFound, Unauthorized, ValidationError
from kb.services import items as item_service
from kb.services.accounts import accounts_exist
from kb.services.reference import all_districts, all_events, all_programmes, all_topics
from kb.web import kb, viewer
from kb.web.forms import item_fields
from kb.web.i18n import error_text, ui_lang

bp = Blueprint("upload", __name__)


def texts() -> dict[str, str]:
    """Every text the upload script shows, in the UI language.

    ``{name}``-style placeholders are filled in by the script; the limits are
    filled in here. The template puts this into a ``data-texts`` attribute
    (the CSP forbids inline scripts).
    """
    file_mb = current_app.config["KB_MAX_FILE_MB"]
    total_mb = current_app.config["KB_MAX_UPLOAD_MB"]
    return {
        "waiting": _("wartet …"),
        "sending": _("wird übertragen …"),
        "reading": _("gespeichert, der Text wird gelesen …"),
        "searchable": _("durchsuchbar"),
        "searchable_note": _("durchsuchbar – %(note)s", note="{note}"),
        "failed": _("gespeichert, aber kein Text lesbar: %(message)s", message="{message}"),
        "not_stored": _("nicht gespeichert: %(message)s", message="{message}"),
        "transfer_failed": _("Die Übertragung ist fehlgeschlagen (%(status)s).", status="{status}"),
        "offline": _(
            "Keine Verbindung zum Server. Die Datei bleibt ausgewählt: Wählen Sie „Erneut "
            "versuchen“, sobald die Verbindung wieder steht."
        ),
        "sign_in": _("Anmelden (öffnet einen neuen Tab)"),
        "file_title": _("Titel für %(name)s", name="{name}"),
        "file_alt": _("Alternativtext für %(name)s (Was zeigt das Bild?)", name="{name}"),
        "kind": _("Art"),
        "progress": _("Übertragung von %(name)s", name="{name}"),
        "too_big_file": _(
            "Größer als %(mb)s MB pro Datei: %(names)s. Bitte wählen Sie diese Dateien ab.",
            mb=file_mb,
            names="{names}",
        ),
        "too_big_total": _(
            "Die ausgewählten Dateien sind zusammen größer als %(mb)s MB. Bitte wählen Sie "
            "weniger oder kleinere Dateien.",
            mb=total_mb,
        ),
    }


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
        "texts": texts(),
    }


@bp.route("/upload", methods=["GET", "POST"])
def upload():  # type: ignore[no-untyped-def]
    limit = current_app.config["KB_MAX_UPLOAD_MB"]
    item_service.check_upload_allowed(kb(), viewer())
    if request.method == "GET":
        return render_template("upload.html", limit_mb=limit, form={}, **_choices())
    sent = request.files.getlist("files")
    files = [(i, f) for i, f in enumerate(sent) if f and f.filename]
    if not files:
        return render_template(
            "upload.html",
            limit_mb=limit,
            form=request.form,
            error=_("Bitte wählen Sie mindestens eine Datei aus."),
            **_choices(),
        ), 400
    one = len(files) == 1
    uploads = [
        item_service.UploadFile(f.filename or "", f.stream, _alt_text(i, one)) for i, f in files
    ]
    return _store(uploads, twins=False)


def _alt_text(index: int, only_file: bool) -> str:
    """An image's alternative text: the field ``alt_<n>`` for the n-th file (0-based, in
    the order of the ``files`` fields), else ``alt`` when the request has a single file."""
    own = request.form.get(f"alt_{index}", "")
    return own if own.strip() or not only_file else request.form.get("alt", "")


def _store(uploads: list[item_service.UploadFile], twins: bool):  # type: ignore[no-untyped-def]
    limit = current_app.config["KB_MAX_UPLOAD_MB"]
    try:
        outcomes = item_service.upload_files(
            kb(), uploads, _meta_from_form(), viewer(), twins, require_alt=True
        )
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
    return render_template(
        "upload_result.html", outcomes=outcomes, form=request.form, texts=texts()
    ), status


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
        upload = item_service.UploadFile(name, stream, request.form.get("alt", ""))
        return _store([upload], twins=True)


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
                "message": (r.message_en if ui_lang() == "en" else "") or r.message_de,
            }
            for r in rows
        ]
    }


@bp.get("/upload/token")
def token():  # type: ignore[no-untyped-def]
    """A fresh CSRF token for the script's "Erneut versuchen" after the session was lost.

    Safe to hand out: other sites cannot read the answer (same-origin policy),
    and the token is bound to this browser's session cookie.
    """
    return {"csrf_token": generate_csrf()}, 200, {"Cache-Control": "no-store"}


@bp.get("/upload/signed-in")
def signed_in():  # type: ignore[no-untyped-def]
    """Where the sign-in link of an interrupted upload leads: back to the waiting tab."""
    return render_template("upload_signed_in.html")


def _session_lost(status: int, message: str, sign_in: bool):  # type: ignore[no-untyped-def]
    """The script's answer when the session is gone: what to do, and where to sign in.

    The sign-in link leads to a page that sends the user back to the waiting tab,
    whose files are still held by the script.
    """
    login_url = url_for("auth.login", next=url_for("upload.signed_in")) if sign_in else None
    if sign_in:
        message = _(
            "Sie sind nicht mehr angemeldet (die Sitzung ist abgelaufen). Bitte melden Sie "
            "sich in einem neuen Tab an und wählen Sie dann hier „Erneut versuchen“; Ihre "
            "Dateien bleiben ausgewählt."
        )
    return {"error": "session", "message": message, "login_url": login_url}, status


@bp.errorhandler(CSRFError)
def csrf_error(_exc: CSRFError):  # type: ignore[no-untyped-def]
    """A form or session that expired. The script can retry with a fresh token."""
    message = _(
        "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es erneut."
    )
    if _wants_fragment():
        # Runs before the viewer is loaded: a session without an account id, once
        # accounts exist, can only send files again after signing in.
        with kb().db.reading() as db:
            sign_in = not session.get("uid") and accounts_exist(db)
        return _session_lost(
            400,
            _(
                "Die Sitzung ist abgelaufen. Wählen Sie „Erneut versuchen“; Ihre Dateien "
                "bleiben ausgewählt."
            ),
            sign_in,
        )
    return render_template("error.html", status=400, message=message, title=_("Fehler")), 400


@bp.errorhandler(Unauthorized)
def unauthorized(exc: Unauthorized):  # type: ignore[no-untyped-def]
    if _wants_fragment():
        return _session_lost(401, error_text(exc), sign_in=True)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
