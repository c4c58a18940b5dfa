"""``kb users …`` and ``kb audit …``: account administration at the server's console.

The console acts as the operator (:data:`kb.services.access.SYSTEM`); what it
does is written to the audit log as "system".
"""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.models import ROLES, utcnow
from kb.services import accounts, audit, auth
from kb.services.access import SYSTEM
from kb.services.context import Kb


def _kb() -> Kb:
    return current_app.extensions["kb"]


def _run(action, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call a service; a KbError becomes one German line on stderr and exit code 1."""
    try:
        return action(*args, **kwargs)
    except KbError as exc:
        click.echo(f"Fehler: {exc.message('de')}", err=True)
        sys.exit(1)


def _link(token: str) -> str:
    return f"{_kb().base_url}/reset/{token}"


@click.group("users")
def users_group() -> None:
    """Benutzerkonten verwalten."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), default="leser", show_default=True)
@click.option("--display-name", default="")
@click.option("--email", default="")
@click.option("--district", default=None, help="Gebietsschlüssel (AGS) des Heimatkreises.")
@click.option("--organisation", default="")
@click.option(
    "--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen (eine Zeile)."
)
@with_appcontext
def users_add(
    name: str,
    role: str,
    display_name: str,
    email: str,
    district: str | None,
    organisation: str,
    password_stdin: bool,
) -> None:
    """Ein Konto anlegen. Ohne Passwort wird ein einmaliger Link zum Setzen ausgegeben."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    profile = accounts.Profile(display_name, email, district, organisation)
    _run(accounts.add_user, _kb(), name, role, SYSTEM, password=password, profile=profile)
    click.echo(f"Benutzer „{accounts.normalise_username(name)}“ angelegt ({ROLES[role]}).")
    if password is None:
        token = _run(auth.issue_reset_token, _kb(), name, SYSTEM, utcnow())
        click.echo(f"Link zum Passwort-Setzen (48 Stunden gültig, einmalig): {_link(token)}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def users_list(as_json: bool) -> None:
    """Alle Konten auflisten."""
    rows = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "active": u.active,
            "email": u.email,
        }
        for u in accounts.list_users(_kb())
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "" if r["active"] else "  (deaktiviert)"
        click.echo(f"{r['username']:<24} {ROLES[str(r['role'])]:<10} {r['display_name']}{state}")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def users_disable(name: str) -> None:
    """Ein Konto deaktivieren; seine Sitzungen enden sofort."""
    _run(accounts.set_active, _kb(), name, False, SYSTEM)
    click.echo(f"Konto „{name}“ deaktiviert.")


@users_group.command("enable")
@click.argument("name")
@with_appcontext
def users_enable(name: str) -> None:
    """Ein deaktiviertes Konto wieder aktivieren."""
    _run(accounts.set_active, _kb(), name, True, SYSTEM)
    click.echo(f"Konto „{name}“ aktiviert.")


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(list(ROLES)))
@with_appcontext
def users_set_role(name: str, role: str) -> None:
    """Die Rolle eines Kontos ändern."""
    _run(accounts.set_role, _kb(), name, role, SYSTEM)
    click.echo(f"„{name}“ hat jetzt die Rolle {ROLES[role]}.")


@users_group.command("reset-link")
@click.argument("name")
@with_appcontext
def users_reset_link(name: str) -> None:
    """Einen einmaligen Link zum Setzen des Passworts ausgeben."""
    token = _run(auth.issue_reset_token, _kb(), name, SYSTEM, utcnow())
    click.echo(_link(token))


@users_group.command("events")
@click.argument("name")
@click.argument("slugs", nargs=-1)
@with_appcontext
def users_events(name: str, slugs: tuple[str, ...]) -> None:
    """Die Veranstaltungen setzen, an denen das Konto teilgenommen hat (Freigabegruppen)."""
    _run(accounts.set_event_groups, _kb(), name, list(slugs), SYSTEM)
    click.echo(f"„{name}“: {', '.join(slugs) or 'keine Veranstaltungen'}.")


@click.group("audit")
def audit_group() -> None:
    """Das Protokoll."""


@audit_group.command("export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8-sig"), default="-")
@with_appcontext
def audit_export(output) -> None:  # type: ignore[no-untyped-def]
    """Das Protokoll als CSV ausgeben (Semikolon, UTF-8)."""
    output.write(audit.as_csv(audit.entries(_kb(), limit=1_000_000)))


@audit_group.command("purge")
@click.option("--days", type=int, default=None, help="Aufbewahrungsfrist; Standard aus Konfig.")
@with_appcontext
def audit_purge(days: int | None) -> None:
    """Adressen und Anmeldenamen aus Einträgen löschen, die älter als die Frist sind."""
    retention = days if days is not None else int(_kb().config["KB_AUDIT_RETENTION_DAYS"])
    count = audit.purge_personal_data(_kb(), utcnow(), retention)
    click.echo(f"{count} Einträge bereinigt (älter als {retention} Tage).")


COMMANDS = [users_group, audit_group]
