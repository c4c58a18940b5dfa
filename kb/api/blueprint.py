"""The ``/api/v1`` blueprint: who is asking, CSRF for browser sessions, caching headers.

Authentication, in this order: ``Authorization: Bearer kb_…`` (a personal token, see
:mod:`kb.services.tokens`), else the browser's session cookie (the same as the pages).
A read-scoped token may only use safe methods, and the few POSTs marked
:func:`reads_only` (they compute an answer from a body, e.g. a handout bundle, and change
nothing).

Rate limits (registered in :func:`kb.api.init_api`): every request counts against its
client address; a request with a valid token also counts against that token. Both are
checked before authentication, so a flood of invented tokens stops at the address limit
without a database read per request.

CSRF: Flask-WTF's check is switched off for this blueprint and done here instead: a
request with a Bearer token carries no ambient credential, so it needs none; every other
unsafe request (session cookie, or anonymous in open mode) must send the page's CSRF token
in the ``X-CSRFToken`` header — a cross-site form can neither set that header nor read
the token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from flask_wtf.csrf import ValidationError as CsrfError
from flask_wtf.csrf import validate_csrf

from kb.api.errors import register as register_errors
from kb.errors import Forbidden, KbError, NotFound
from kb.services import tokens
from kb.web import kb

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_errors(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Ids are 32-bit integer columns; a larger number in a path cannot name anything (and
#: would overflow the database driver), so it is "not found" before any query.
MAX_ID = 2**31 - 1


def reads_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a POST view that changes nothing, so a read-scoped token may call it."""
    view._reads_only = True  # type: ignore[attr-defined]
    return view


def _changes_something() -> bool:
    if request.method in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "_reads_only", False)


class CsrfMissing(KbError):
    code = "csrf"
    status = 400


def bearer_secret() -> str | None:
    """The token of an ``Authorization: Bearer …`` header; "" for a malformed header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def address_key() -> str:
    """Rate-limit bucket of the client address (behind a proxy, ``KB_PROXY_HOPS`` makes it
    the real one). Applied to every API request, with or without a token, so made-up
    Bearer values cannot buy fresh buckets."""
    return "addr:" + (request.remote_addr or "")


def token_key() -> str:
    """Rate-limit bucket of a Bearer token: a hash of the secret, so no secret sits in the
    limiter's storage and no database read happens before the limit."""
    return "token:" + hashlib.sha256((bearer_secret() or "").encode("utf-8")).hexdigest()[:32]


def no_bearer() -> bool:
    """The per-token limit is skipped for requests without a Bearer header."""
    return bearer_secret() is None


def valid_token_used(_response: Response) -> bool:
    """Count a request against its token only once the token proved valid
    (:func:`authenticate` set ``g.token_scope``): a bogus token never fills a bucket of
    its own, it only uses up its address's."""
    return g.get("token_scope") is not None


@bp.before_request
def ids_in_range() -> None:
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound("Das gibt es hier nicht.", "Not found.")


@bp.before_request
def authenticate() -> None:
    secret = bearer_secret()
    if secret is not None:
        found = tokens.authenticate(kb(), secret, (request.remote_addr or "")[:64])
        g.viewer, g.token_scope = found.viewer, found.scope
        if _changes_something() and found.scope != "write":
            raise Forbidden(
                "Dieser API-Schlüssel darf nur lesen.",
                "This API token may only read (scope 'read').",
            )
        return
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CsrfError as exc:
            raise CsrfMissing(
                "Ohne API-Schlüssel braucht eine ändernde Anfrage den CSRF-Schlüssel der "
                "Seite im Kopf X-CSRFToken.",
                "Without an API token, a changing request needs the page's CSRF token in "
                "the X-CSRFToken header.",
            ) from exc


@bp.after_request
def caching_headers(response: Response) -> Response:
    """ETag on reads (304 for a matching If-None-Match); never cached by shared caches,
    because what a response contains depends on who asks."""
    response.headers["Vary"] = "Authorization, Cookie, Accept-Language"
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if not response.direct_passthrough and not response.get_etag()[0]:
            response.add_etag()
        response.make_conditional(request)
    return response
