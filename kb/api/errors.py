"""One error shape for the API: ``{"error": "<code>", "message": "<text>"}``.

Every failure under ``/api/`` — a domain error from :mod:`kb.errors`, an HTTP error from
routing or Werkzeug, a rate limit, a bug — goes through :func:`error_response`, so a
client never sees HTML or a traceback. The message is German unless the request's
``Accept-Language`` prefers English.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kb.errors import KbError

logger = logging.getLogger(__name__)

#: HTTP status -> (code, German message, English message) for errors without a domain text.
STATUS_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Die Anfrage war fehlerhaft.", "The request was malformed."),
    401: ("unauthorized", "Bitte melden Sie sich an.", "Please authenticate."),
    403: ("forbidden", "Das dürfen Sie hier nicht.", "You may not do this."),
    404: ("not_found", "Das gibt es hier nicht.", "Not found."),
    405: (
        "method_not_allowed",
        "Diese Methode ist hier nicht möglich.",
        "This method is not allowed here.",
    ),
    406: ("not_acceptable", "Dieses Format gibt es hier nicht.", "Not acceptable."),
    413: (
        "too_large",
        "Die Übertragung ist zu groß.",
        "The request body is too large.",
    ),
    415: (
        "unsupported_media_type",
        "Dieses Format der Anfrage wird nicht verstanden.",
        "Unsupported request content type.",
    ),
    422: ("invalid", "Die Angaben sind ungültig.", "The input is invalid."),
    429: (
        "rate_limited",
        "Zu viele Anfragen. Bitte warten Sie einen Moment.",
        "Too many requests. Please wait a moment.",
    ),
    500: (
        "internal",
        "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.",
        "An internal error occurred. Please try again later.",
    ),
    503: (
        "unavailable",
        "Der Dienst ist gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.",
        "The service is unavailable right now. Please try again shortly.",
    ),
}


def language() -> str:
    """ "en" if the client prefers English over German, else "de" (the UI language)."""
    return request.accept_languages.best_match(["de", "en"], default="de") or "de"


def error_response(
    code: str,
    message_de: str,
    message_en: str,
    status: int,
    headers: Mapping[str, str] | None = None,
    details: object = None,
) -> Response:
    """The one JSON error response; ``details`` (field -> messages) for invalid input."""
    body: dict[str, object] = {
        "error": code,
        "message": message_en if language() == "en" else message_de,
    }
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def status_response(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """An error with only an HTTP status to go on (routing, Werkzeug, the rate limiter)."""
    code, de, en = STATUS_ERRORS.get(status, STATUS_ERRORS[400 if status < 500 else 500])
    return error_response(code, de, en, status, headers)


def kb_error_response(exc: KbError) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="kb"'} if exc.status == 401 else None
    return error_response(
        exc.code,
        exc.message_de,
        exc.message_en,
        exc.status,
        headers,
        getattr(exc, "details", None),
    )


def http_error_response(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers: dict[str, str] = {}
    if status == 429:
        retry = _retry_after(exc)
        if retry:
            headers["Retry-After"] = retry
    if status == 405 and exc.response is None:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return status_response(status, headers)


def _retry_after(exc: HTTPException) -> str:
    """Seconds until the breached limit's window resets (Flask-Limiter knows the limit)."""
    item = getattr(getattr(exc, "limit", None), "limit", None)
    seconds = int(item.get_expiry()) if item is not None else 60
    return str(max(1, seconds))


def register(bp: Blueprint) -> None:
    """Handlers for requests routed to the API blueprint (the app's handlers cover the rest
    of ``/api/`` through :func:`status_response`, see :mod:`kb.web.errors`)."""

    @bp.errorhandler(KbError)
    def kb_error(exc: KbError) -> Response:
        return kb_error_response(exc)

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return http_error_response(exc)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        logger.exception("Unhandled API error on %s", request.path)
        return status_response(500)
