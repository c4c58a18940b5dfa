"""The audit log: who did what to which item when.

Entries are written in the same transaction as the change they describe, so
the log never claims something that was rolled back. Addresses, login names
and the user names that account entries carry in their details are personal
data (DSGVO): :func:`purge_personal_data` blanks them once an entry is older
than ``KB_AUDIT_RETENTION_DAYS``; the fact of the action, its time and the
account ids stay for accountability.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kb.models import AuditEvent, LoginFailure, User, utcnow
from kb.services.access import Viewer
from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: Action id -> German label for the admin page and the CSV export.
ACTIONS: dict[str, str] = {
    "upload": "Hochgeladen",
    "edit": "Bearbeitet",
    "new_version": "Neue Dateiversion",
    "version_current": "Version als aktuell gesetzt",
    "state_change": "Status geändert",
    "download": "Interne Datei heruntergeladen",
    "login": "Angemeldet",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "Abgemeldet",
    "user_created": "Benutzer angelegt",
    "user_disabled": "Benutzer deaktiviert",
    "user_enabled": "Benutzer aktiviert",
    "role_changed": "Rolle geändert",
    "groups_changed": "Veranstaltungsgruppen geändert",
    "profile_changed": "Profil geändert",
    "password_changed": "Passwort geändert",
    "reset_issued": "Link zum Zurücksetzen erstellt",
    "password_reset": "Passwort per Link gesetzt",
    "event_created": "Veranstaltung angelegt",
    "event_edited": "Veranstaltung bearbeitet",
    "event_deleted": "Veranstaltung gelöscht",
    "person_changed": "Person geändert",
    "person_deleted": "Person gelöscht",
    "persons_merged": "Personen zusammengeführt",
    "organisation_changed": "Organisation angelegt/geändert",
    "organisation_deleted": "Organisation gelöscht",
    "organisations_merged": "Organisationen zusammengeführt",
    "vocabulary_changed": "Vokabular geändert",
    "guidance_edit": "Leitfaden-Angaben oder Fristen geändert",
    "qa_created": "Frage und Antwort angelegt",
    "qa_changed": "Frage und Antwort geändert",
    "qa_deleted": "Frage und Antwort gelöscht",
    "calendar_feed_created": "Persönlicher Kalender-Link erstellt",
    "calendar_feed_revoked": "Persönlicher Kalender-Link widerrufen",
    "deleted": "In den Papierkorb gelegt",
    "restored": "Aus dem Papierkorb wiederhergestellt",
    "purged": "Endgültig gelöscht",
    "token_created": "API-Schlüssel erstellt",
    "token_revoked": "API-Schlüssel widerrufen",
    "site_page_changed": "Impressum, Datenschutz- oder Barrierefreiheitserklärung geändert",
}
DEFAULT_RETENTION_DAYS = 90
#: Account actions whose detail starts with the user name the action was about
#: ("anna (Autor)", "anna: leser -> autor", "anna: werkstatt-13"); purged like login names.
NAMED_DETAIL_ACTIONS = frozenset(
    {
        "user_created",
        "user_disabled",
        "user_enabled",
        "role_changed",
        "groups_changed",
        "profile_changed",
        "password_changed",
        "reset_issued",
    }
)
#: What stands in a purged detail where the user name was.
PURGED_NAME = "Konto Nr. {id}"
UNKNOWN_ACCOUNT = "(Konto unbekannt)"


def record(
    session: Session,
    action: str,
    actor: Viewer,
    item_id: int | None = None,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Add an entry to the caller's transaction."""
    session.add(
        AuditEvent(
            at=at or utcnow(),
            user_id=actor.user_id,
            login_name=actor.name[:80],
            action=action,
            item_id=item_id,
            detail=detail[:2000],
            address=actor.address[:64],
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    user: str
    action: str
    action_label: str
    item_id: int | None
    detail: str
    address: str


def entries(kb: Kb, limit: int = 200, offset: int = 0, action: str = "") -> list[AuditRow]:
    """Newest first, with the account's current name where the entry has none left."""
    with kb.db.reading() as session:
        query = select(AuditEvent, User.username).outerjoin(User, User.id == AuditEvent.user_id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = session.execute(
            query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
        ).all()
        return [
            AuditRow(
                e.at,
                e.login_name or username or "",
                e.action,
                ACTIONS.get(e.action, e.action),
                e.item_id,
                e.detail,
                e.address,
            )
            for e, username in rows
        ]


def as_csv(rows: list[AuditRow]) -> str:
    """CSV for spreadsheets (semicolon, as German Excel expects)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Zeit (UTC)", "Benutzer", "Aktion", "Eintrag", "Details", "Adresse"])
    for r in rows:
        writer.writerow(
            [
                r.at.isoformat(timespec="seconds"),
                _cell(r.user),
                _cell(r.action_label),
                r.item_id or "",
                _cell(r.detail),
                _cell(r.address),
            ]
        )
    return out.getvalue()


#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Defuse spreadsheet formulas in a text cell: one with a formula start is quoted.

    Every text column goes through here, not only the details: the user column
    holds whatever name was typed at a failed sign-in (``=HYPERLINK(…)``), and
    the address column comes from the network.
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def purge_personal_data(kb: Kb, now: dt.datetime, retention_days: int) -> int:
    """Blank addresses, typed login names and user names in details of old entries.

    An account entry's detail keeps what happened ("Konto Nr. 7: leser -> autor"):
    the user name it named becomes the account's number, which is no more than
    the log already holds for the actor. Also deletes old login-failure counters
    (only needed for the throttle window).

    :return: the number of audit entries purged.
    """
    cutoff = now - dt.timedelta(days=retention_days)
    with kb.db.writing() as session:
        _purge_named_details(session, cutoff)
        result = session.execute(
            update(AuditEvent)
            .where(AuditEvent.at < cutoff, AuditEvent.personal_data_purged.is_(False))
            .values(address="", login_name="", personal_data_purged=True)
        )
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(days=1)))
        count = result.rowcount or 0
    if count:
        logger.info("Purged personal data from %d audit entries older than %s", count, cutoff)
    return count


def _purge_named_details(session: Session, cutoff: dt.datetime) -> None:
    """Replace the user name at the start of old account entries' details by the account number.

    User names match ``[a-z0-9][a-z0-9._-]*`` (no space, no colon), so the name is
    the detail up to the first space or colon.
    """
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.detail).where(
            AuditEvent.at < cutoff,
            AuditEvent.personal_data_purged.is_(False),
            AuditEvent.action.in_(NAMED_DETAIL_ACTIONS),
        )
    ).all()
    names = {_leading_name(detail) for _, detail in rows}
    ids = dict(
        session.execute(select(User.username, User.id).where(User.username.in_(names))).all()
    )
    for entry_id, detail in rows:
        name = _leading_name(detail)
        account = PURGED_NAME.format(id=ids[name]) if name in ids else UNKNOWN_ACCOUNT
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == entry_id)
            .values(detail=account + detail[len(name) :])
        )


def _leading_name(detail: str) -> str:
    """The user name an account entry's detail starts with.

    >>> _leading_name("anna.schmidt: leser -> autor"), _leading_name("bert (Leser)")
    ('anna.schmidt', 'bert')
    """
    end = min((i for i in (detail.find(" "), detail.find(":")) if i >= 0), default=len(detail))
    return detail[:end]
