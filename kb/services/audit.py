"""The audit log: who did what to which item when.

Entries are written in the same transaction as the change they describe, so
the log never claims something that was rolled back. Addresses and login
names are personal data (DSGVO): :func:`purge_personal_data` blanks them once
an entry is older than ``KB_AUDIT_RETENTION_DAYS``; the fact of the action,
its time and the account id stay for accountability.
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
                r.user,
                r.action_label,
                r.item_id or "",
                _cell(r.detail),
                r.address,
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    """Defuse spreadsheet formulas (CSV injection): a leading =, +, - or @ is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def purge_personal_data(kb: Kb, now: dt.datetime, retention_days: int) -> int:
    """Blank addresses and typed login names in entries older than the retention period.

    Also deletes old login-failure counters (only needed for the throttle window).

    :return: the number of audit entries purged.
    """
    cutoff = now - dt.timedelta(days=retention_days)
    with kb.db.writing() as session:
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
