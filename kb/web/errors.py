"""Every error becomes a German page with the right status — never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from kb.errors import KbError, Unauthorized
from kb.web.i18n import error_text

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    403: _l("Das dürfen Sie hier nicht."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    500: _l("Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal."),
    503: _l(
        "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen "
        "Minuten noch einmal."
    ),
}

#: Seconds a client (or nginx, a monitor) should wait before retrying after a 503.
RETRY_AFTER = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _page(status: int, message: str, title: str | None = None):  # type: ignore[no-untyped-def]
    message, title = str(message), str(title or _("Fehler"))
    if request.path.startswith("/api/"):
        from kb.api.errors import status_response

        return status_response(status)
    if _wants_json():
        return {"error": str(status), "message": message}, status
    return render_template("error.html", status=status, message=message, title=title), status


def _bare_page(message: str) -> str:
    """The error page without the layout, for when rendering the layout itself fails."""
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Fehler</title>'
        f'</head><body><h1>Fehler</h1><p role="alert">{escape(message)}</p></body></html>'
    )


def register(app: Flask) -> None:
    @app.errorhandler(KbError)
    def kb_error(exc: KbError):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from kb.api.errors import kb_error_response

            return kb_error_response(exc)
        if isinstance(exc, Unauthorized) and not _wants_json():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return _page(exc.status, error_text(exc))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = app.config["KB_MAX_UPLOAD_MB"]
        return _page(
            413,
            _(
                "Die Übertragung ist zu groß. Erlaubt sind höchstens %(limit)s MB pro "
                "Hochladen. Bitte laden Sie weniger oder kleinere Dateien auf einmal hoch.",
                limit=limit,
            ),
            _("Zu groß"),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError):  # type: ignore[no-untyped-def]
        return _page(
            400,
            _(
                "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es "
                "erneut."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        return _page(status, MESSAGES.get(status, exc.description or MESSAGES[400]))

    # A database that is down, locked beyond KB_DB_TIMEOUT_SECONDS or out of connections.
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(exc: Exception):  # type: ignore[no-untyped-def]
        # One line, not a traceback per request: while the database is away, every request
        # fails the same way. The driver's text names the cause (refused, locked, full).
        cause = getattr(exc, "orig", None) or exc
        logger.error("Database unavailable on %s: %s", request.path, str(cause)[:300])
        message = str(MESSAGES[503])
        try:
            body, status = _page(503, message, _("Vorübergehend nicht verfügbar"))
        except Exception:  # the layout needs the database too (the signed-in user)
            logger.warning("Error page without layout", exc_info=True)
            body, status = _bare_page(message), 503
        return body, status, {"Retry-After": str(RETRY_AFTER)}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        logger.exception("Unhandled error on %s", request.path)
        return _page(500, MESSAGES[500])
