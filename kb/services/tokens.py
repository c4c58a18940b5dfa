"""Personal API tokens: made and revoked by their owner, stored hashed, scoped.

A token is a random secret shown once; only its SHA-256 is stored, so a copy of the
database cannot be used to call the API. A token acts as its account — the viewer is
built exactly as the session login builds it (:func:`kb.services.accounts.viewer_for`) —
and the "read" scope narrows it to safe methods. A disabled account's tokens stop working
at once, because the account is reloaded on every call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from kb.errors import KbError, NotFound, ValidationError
from kb.models import TOKEN_SCOPES, ApiToken, User, utcnow
from kb.services import audit
from kb.services.access import Viewer
from kb.services.accounts import viewer_for
from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: Visible prefix of every secret, so a leaked one is recognisable (e.g. by secret scanners).
PREFIX = "kb_"
MAX_TOKENS_PER_USER = 20
#: ``last_used_at`` is written at most this often per token (no write on every call).
TOUCH_EVERY = dt.timedelta(minutes=5)


class InvalidToken(KbError):
    code = "invalid_token"
    status = 401


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    scope: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class TokenViewer:
    """Who a Bearer token speaks for, and what it may do."""

    viewer: Viewer
    token_id: int
    scope: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(kb: Kb, viewer: Viewer, name: str, scope: str) -> str:
    """Make a token for the signed-in ``viewer``; return the secret (shown once).

    :raises ValidationError: no name, an unknown scope, or too many active tokens.
    """
    name = name.strip()[:100]
    if viewer.user_id is None:
        raise ValidationError("Bitte melden Sie sich an.", "Please sign in.")
    if not name:
        raise ValidationError(
            "Bitte geben Sie dem Schlüssel einen Namen.", "Please name the token."
        )
    if scope not in TOKEN_SCOPES:
        raise ValidationError(
            f"Unbekannter Bereich „{scope[:20]}“. Erlaubt: {', '.join(TOKEN_SCOPES)}.",
            f"Unknown scope. Allowed: {', '.join(TOKEN_SCOPES)}.",
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    with kb.db.writing() as session:
        active = session.scalars(
            select(ApiToken.id).where(
                ApiToken.user_id == viewer.user_id, ApiToken.revoked_at.is_(None)
            )
        ).all()
        if len(active) >= MAX_TOKENS_PER_USER:
            raise ValidationError(
                f"Sie haben bereits {MAX_TOKENS_PER_USER} gültige Schlüssel. Bitte widerrufen "
                "Sie zuerst einen.",
                f"You already have {MAX_TOKENS_PER_USER} active tokens; revoke one first.",
            )
        session.add(
            ApiToken(user_id=viewer.user_id, name=name, token_hash=token_hash(secret), scope=scope)
        )
        audit.record(session, "token_created", viewer, detail=f"{name} ({scope})")
    logger.info("User %s created an API token (%s)", viewer.user_id, scope)
    return secret


def list_tokens(kb: Kb, viewer: Viewer) -> list[TokenRow]:
    """The viewer's own tokens, newest first (revoked ones too, marked)."""
    if viewer.user_id is None:
        return []
    with kb.db.reading() as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == viewer.user_id).order_by(ApiToken.id.desc())
        )
        return [
            TokenRow(t.id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at)
            for t in rows
        ]


def revoke_token(kb: Kb, viewer: Viewer, token_id: int) -> None:
    """Revoke one of the viewer's own tokens (another account's token is "not found")."""
    with kb.db.writing() as session:
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != viewer.user_id:
            raise NotFound("Diesen Schlüssel gibt es nicht.", "This token does not exist.")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(session, "token_revoked", viewer, detail=token.name)


def _invalid() -> InvalidToken:
    return InvalidToken(
        "Der API-Schlüssel ist ungültig oder widerrufen.",
        "The API token is invalid or has been revoked.",
    )


def authenticate(kb: Kb, secret: str, address: str = "") -> TokenViewer:
    """The viewer behind a Bearer secret.

    :raises InvalidToken: unknown, revoked, or the account is disabled.
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise _invalid()
    now = utcnow()
    with kb.db.reading() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
        user = session.get(User, token.user_id) if token is not None else None
        if token is None or token.revoked_at is not None or user is None or not user.active:
            raise _invalid()
        found = TokenViewer(viewer_for(session, user, address), token.id, token.scope)
        stale = token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY
    if stale:
        with kb.db.writing() as session:
            row = session.get(ApiToken, found.token_id)
            if row is not None:
                row.last_used_at = now
    return found
