"""Signing in, changing passwords and one-time reset links.

Sign-in never tells whether a name exists: unknown name, wrong password and
disabled account get one message and cost one argon2 verification each.
Failures are counted in the database per login name and per address within
a window (:data:`FAILURE_WINDOW`), so throttling holds across processes and
ends by itself — never a permanent lock-out that an attacker could use
against a colleague.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.errors import KbError, NotFound, ValidationError
from kb.models import LoginFailure, ResetToken, User
from kb.services import audit
from kb.services.access import Viewer
from kb.services.accounts import (
    get_user,
    hash_password,
    normalise_username,
    rehash_if_needed,
    verify_password,
)
from kb.services.context import Kb

logger = logging.getLogger(__name__)

FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
RESET_VALID_FOR = dt.timedelta(hours=48)


class WrongLogin(KbError):
    code = "wrong_login"
    status = 401


class TooManyAttempts(KbError):
    code = "throttled"
    status = 429


def _wrong_login() -> WrongLogin:
    return WrongLogin("Benutzername oder Passwort ist falsch.", "Wrong user name or password.")


def _throttle(session: Session, name: str, address: str, now: dt.datetime) -> None:
    since = now - FAILURE_WINDOW
    recent = select(func.count(LoginFailure.id)).where(LoginFailure.at > since)
    by_name = session.scalar(recent.where(LoginFailure.login_name == name)) or 0
    by_address = session.scalar(recent.where(LoginFailure.address == address)) or 0
    if by_name >= MAX_FAILURES_PER_NAME or (address and by_address >= MAX_FAILURES_PER_ADDRESS):
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in "
            f"{minutes} Minuten noch einmal.",
            f"Too many failed sign-ins. Please try again in {minutes} minutes.",
        )


def authenticate(kb: Kb, username: str, password: str, address: str, now: dt.datetime) -> User:
    """Check a sign-in; return the user or raise one message for every failure.

    :raises TooManyAttempts: too many failures for this name or address recently.
    :raises WrongLogin: unknown name, wrong password or disabled account.
    """
    name = normalise_username(username)[:80]
    address = address[:64]
    with kb.db.writing() as session:
        _throttle(session, name, address, now)
        user = session.scalar(select(User).where(User.username == name))
        ok = verify_password(user.password_hash if user else "", password)
        if user is None or not ok or not user.active:
            session.add(LoginFailure(at=now, login_name=name, address=address))
            audit.record(session, "login_failed", Viewer(name=name, address=address), at=now)
            failed = True
        else:
            failed = False
            session.execute(delete(LoginFailure).where(LoginFailure.login_name == name))
            user.last_login_at = now
            user.password_hash = rehash_if_needed(user.password_hash, password) or (
                user.password_hash
            )
            audit.record(session, "login", Viewer(user.id, name=name, address=address), at=now)
            session.flush()  # write last_login_at before the object leaves the session
            session.expunge(user)
    if failed:
        raise _wrong_login()
    assert user is not None
    return user


def sign_out(kb: Kb, actor: Viewer) -> None:
    """Write the "logout" audit entry; the edge clears the session itself.

    Anonymous visitors posting to the logout form leave no entry: there is no
    one to record.
    """
    if actor.is_anonymous:
        return
    with kb.db.writing() as session:
        audit.record(session, "logout", actor)


def change_password(kb: Kb, user_id: int, current: str, new: str, actor: Viewer) -> None:
    """Change one's own password; the other sessions of the account end."""
    with kb.db.writing() as session:
        user = session.get(User, user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise ValidationError(
                "Das bisherige Passwort ist falsch.", "The current password is wrong."
            )
        user.password_hash = hash_password(new)
        user.session_epoch += 1
        audit.record(session, "password_changed", actor, detail=user.username)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_reset_token(kb: Kb, username: str, actor: Viewer, now: dt.datetime) -> str:
    """A one-time token to set a password; the admin passes the link on (no mail server)."""
    token = secrets.token_urlsafe(32)
    with kb.db.writing() as session:
        user = get_user(session, username)
        session.add(
            ResetToken(
                user_id=user.id, token_hash=_token_hash(token), expires_at=now + RESET_VALID_FOR
            )
        )
        audit.record(session, "reset_issued", actor, detail=user.username, at=now)
    return token


def _valid_token(session: Session, token: str, now: dt.datetime) -> ResetToken:
    row = session.scalar(select(ResetToken).where(ResetToken.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at < now:
        raise NotFound(
            "Dieser Link ist ungültig oder abgelaufen. Bitte fragen Sie die Verwaltung "
            "nach einem neuen.",
            "This link is invalid or has expired. Please ask an administrator for a new one.",
        )
    return row


def reset_token_user(kb: Kb, token: str, now: dt.datetime) -> str:
    """The user name a valid token belongs to (for the form's heading)."""
    with kb.db.reading() as session:
        row = _valid_token(session, token[:200], now)
        user = session.get(User, row.user_id)
        assert user is not None
        return user.username


def redeem_reset_token(kb: Kb, token: str, new_password: str, now: dt.datetime) -> None:
    """Set the password once; the token is spent and all sessions of the account end."""
    with kb.db.writing() as session:
        row = _valid_token(session, token[:200], now)
        user = session.get(User, row.user_id)
        assert user is not None
        user.password_hash = hash_password(new_password)
        user.session_epoch += 1
        row.used_at = now
        audit.record(session, "password_reset", Viewer(user.id, name=user.username), at=now)
