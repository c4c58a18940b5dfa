"""Accounts: create and manage users, their roles, profiles and event groups.

Passwords are hashed with argon2id (argon2-cffi); signing in and reset links
are in :mod:`kb.services.auth`. Every change is written to the audit log in
the same transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import ROLES, District, Event, EventParticipant, User
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb

logger = logging.getLogger(__name__)

_hasher = PasswordHasher()
#: Verified when the name is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("kb-dummy-password-for-timing")

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


@dataclass(frozen=True)
class Profile:
    """What a user may change about themselves (never their role)."""

    display_name: str = ""
    email: str = ""
    home_district_ags: str | None = None
    organisation: str = ""


def normalise_username(name: str) -> str:
    return name.strip().lower()


def verify_password(stored: str, password: str) -> bool:
    """True if ``password`` matches ``stored``; an empty ``stored`` never matches.

    An empty or unknown hash still costs one verification, so the time taken
    does not tell whether an account exists.
    """
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def rehash_if_needed(stored: str, password: str) -> str | None:
    """A fresh hash when the argon2 parameters changed since ``stored`` was made."""
    return _hasher.hash(password) if _hasher.check_needs_rehash(stored) else None


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.",
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
        )
    if len(password) > 1024:
        raise ValidationError("Das Passwort ist zu lang.", "The password is too long.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(
            f"Unbekannte Rolle „{role}“. Erlaubt: {', '.join(ROLES)}.",
            f"Unknown role '{role}'. Allowed: {', '.join(ROLES)}.",
        )


def accounts_exist(session: Session) -> bool:
    """Until the first account exists, kb runs open: anonymous uploads are published."""
    return session.scalar(select(func.count(User.id))) > 0


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound(
            f"Den Benutzer „{username}“ gibt es nicht.", f"There is no user '{username}'."
        )
    return user


def add_user(
    kb: Kb,
    username: str,
    role: str,
    actor: Viewer,
    password: str | None = None,
    profile: Profile | None = None,
) -> int:
    """Create an account; without a password the user sets one through a reset link."""
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise ValidationError(
            "Der Benutzername darf nur Kleinbuchstaben, Ziffern, Punkt, Binde- und "
            "Unterstrich enthalten (2–80 Zeichen).",
            "User names may contain lower-case letters, digits, dot, hyphen and underscore "
            "(2–80 characters).",
        )
    _check_role(role)
    profile = profile or Profile()
    with kb.db.writing() as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationError(
                f"Den Benutzernamen „{name}“ gibt es schon.", f"The user name '{name}' is taken."
            )
        _check_district(session, profile.home_district_ags)
        user = User(
            username=name, role=role, password_hash=hash_password(password) if password else ""
        )
        _apply_profile(user, profile)
        session.add(user)
        session.flush()
        audit.record(session, "user_created", actor, detail=f"{name} ({ROLES[role]})")
        return user.id


def _check_district(session: Session, ags: str | None) -> None:
    if ags and session.get(District, ags) is None:
        raise ValidationError(f"Unbekannter Landkreis „{ags}“.", f"Unknown district '{ags}'.")


def _apply_profile(user: User, profile: Profile) -> None:
    user.display_name = profile.display_name.strip()[:200]
    user.email = profile.email.strip()[:254]
    user.home_district_ags = profile.home_district_ags or None
    user.organisation = profile.organisation.strip()[:300]


def update_profile(kb: Kb, user_id: int, profile: Profile, actor: Viewer) -> None:
    """Change a user's own details. The role is not part of a profile, by design."""
    with kb.db.writing() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Diesen Benutzer gibt es nicht.", "This user does not exist.")
        _check_district(session, profile.home_district_ags)
        _apply_profile(user, profile)
        audit.record(session, "profile_changed", actor, detail=user.username)


def set_role(kb: Kb, username: str, role: str, actor: Viewer) -> None:
    _check_role(role)
    with kb.db.writing() as session:
        user = get_user(session, username)
        old, user.role = user.role, role
        audit.record(session, "role_changed", actor, detail=f"{user.username}: {old} -> {role}")


def set_active(kb: Kb, username: str, active: bool, actor: Viewer) -> None:
    """Disable or re-enable an account; disabling ends its sessions at the next request."""
    with kb.db.writing() as session:
        user = get_user(session, username)
        if not active and actor.user_id == user.id:
            raise Forbidden(
                "Sie können Ihr eigenes Konto nicht deaktivieren.",
                "You cannot disable your own account.",
            )
        user.active = active
        user.session_epoch += 1
        action = "user_enabled" if active else "user_disabled"
        audit.record(session, action, actor, detail=user.username)


def set_event_groups(kb: Kb, username: str, event_slugs: list[str], actor: Viewer) -> None:
    """Replace the events whose participant group the user belongs to."""
    with kb.db.writing() as session:
        user = get_user(session, username)
        events = session.scalars(select(Event).where(Event.slug.in_(event_slugs))).all()
        missing = set(event_slugs) - {e.slug for e in events}
        if missing:
            raise ValidationError(
                f"Unbekannte Veranstaltung: {', '.join(sorted(missing))}.",
                f"Unknown event: {', '.join(sorted(missing))}.",
            )
        session.execute(delete(EventParticipant).where(EventParticipant.user_id == user.id))
        session.add_all(EventParticipant(event_id=e.id, user_id=user.id) for e in events)
        audit.record(
            session, "groups_changed", actor, detail=f"{user.username}: {', '.join(event_slugs)}"
        )


def list_users(kb: Kb) -> list[User]:
    with kb.db.reading() as session:
        return list(session.scalars(select(User).order_by(User.username)))


def event_ids_of(session: Session, user_id: int) -> tuple[int, ...]:
    rows = session.scalars(
        select(EventParticipant.event_id).where(EventParticipant.user_id == user_id)
    )
    return tuple(sorted(rows))


def viewer_for(session: Session, user: User, address: str = "") -> Viewer:
    """The viewer a signed-in user is: their role and event groups."""
    return Viewer(
        user_id=user.id,
        roles=(user.role,),
        events=event_ids_of(session, user.id),
        name=user.username,
        address=address,
    )


def viewer_by_name(kb: Kb, username: str) -> Viewer:
    """The viewer behind an account name (``kb search --as``); disabled accounts see nothing."""
    with kb.db.reading() as session:
        user = get_user(session, username)
        if not user.active:
            raise Forbidden(
                f"Das Konto „{user.username}“ ist deaktiviert.",
                f"The account '{user.username}' is disabled.",
            )
        return viewer_for(session, user)
