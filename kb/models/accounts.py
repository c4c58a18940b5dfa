"""Accounts, roles, the workflow history, the audit log and login throttling.

Roles follow Plone's model in German: Leser read internal material, Autor
upload and edit their own items, Redaktion review, publish and edit all,
Admin manage users and settings (and may do everything Redaktion may).
Login failures live in the database, not in process memory, so throttling
holds across worker processes and app servers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base
from kb.models.content import utcnow

#: Role id -> German label, weakest first. Every signed-in user is at least a Leser.
ROLES: dict[str, str] = {
    "leser": "Leser",
    "autor": "Autor",
    "redaktion": "Redaktion",
    "admin": "Admin",
}


class User(Base):
    """A local account; the password is stored as an argon2 hash only."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case so "Anna" and "anna" are one account.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[str] = mapped_column(String(12), default="leser")
    home_district_ags: Mapped[str | None] = mapped_column(
        ForeignKey("districts.ags", ondelete="SET NULL")
    )
    organisation: Mapped[str] = mapped_column(String(300), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on password change, reset and disable: sessions carrying an older value end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class EventParticipant(Base):
    """Membership in an event's group: may read decks shared only with participants."""

    __tablename__ = "event_participants"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class WorkflowStep(Base):
    """One move of an item through Entwurf -> Zur Prüfung -> Veröffentlicht -> Archiviert."""

    __tablename__ = "workflow_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what to which item when.

    ``address`` and ``login_name`` are personal data: they are blanked after the
    retention period (``KB_AUDIT_RETENTION_DAYS``); the event itself stays.
    """

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The name typed at a failed login, or the acting user's name at the time.
    login_name: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    personal_data_purged: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """A failed login, counted per account and per address within a time window."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    login_name: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class ResetToken(Base):
    """A one-time link to set a password, issued by an admin (no mail server is assumed).

    Only the SHA-256 of the token is stored, so a copy of the database cannot be
    used to take over accounts.
    """

    __tablename__ = "reset_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


#: Scopes of a personal API token: "read" for GET/HEAD only, "write" for everything the
#: account may do.
TOKEN_SCOPES: dict[str, str] = {"read": "nur lesen", "write": "lesen und schreiben"}


class ApiToken(Base):
    """A personal API token for scripts (``Authorization: Bearer …``), revocable.

    Only the SHA-256 of the secret is stored; the secret is shown once when made, so a
    copy of the database cannot be used to call the API. A token acts with exactly the
    rights of its account (never more), narrowed to reading by the "read" scope.
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "read" or "write" (:data:`TOKEN_SCOPES`).
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
