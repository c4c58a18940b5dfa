"""HTTP hardening headers for every response.

The Content-Security-Policy allows scripts and styles only from our own
origin: no inline script or ``on…=`` handler runs, so an HTML injection that
slipped past escaping still cannot execute.
"""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import BadRequest

#: Query-string arguments that carry free search text (cleaned, not refused).
SEARCH_TEXT_ARGS = frozenset({"q"})

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def refuse_nul_bytes() -> None:
    """Refuse a request whose query string (but search text) or form fields contain NUL.

    No person types one; PostgreSQL cannot store or even compare text with it (the
    driver raises DataError, which would be a 500), and SQLite would silently keep it.
    One rule at the edge, for pages and API alike: query, form fields, upload file names and
    JSON bodies (a file's bytes may contain anything).
    """
    # The search text is the exception: pasted from a PDF it may carry control characters,
    # and a search should still run; search_text() turns them into spaces.
    # Every value of a repeated field (``districts=…&districts=…``), not only the first one
    # that MultiDict.values() gives, and the field names too.
    args = [v for k, vs in request.args.lists() if k not in SEARCH_TEXT_ARGS for v in vs]
    form = [x for k, vs in request.form.lists() for x in (k, *vs)] if request.form else []
    files = (
        [f.filename or "" for _k, fs in request.files.lists() for f in fs] if request.files else []
    )
    values = [*args, *form, *files]
    if request.is_json:  # NUL arrives escaped in JSON text
        values.append(request.get_data(as_text=True).replace("\\\\", "").replace("\\u0000", "\x00"))
    if any("\x00" in value for value in values):
        raise BadRequest(
            "Die Anfrage enthält ein unzulässiges Steuerzeichen (NUL). / "
            "The request contains a forbidden control character (NUL)."
        )
