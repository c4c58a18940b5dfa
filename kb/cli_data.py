"""``kb export``, ``kb restore`` and ``kb bulk-import``: data that leaves and comes back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.services.context import Kb


def _kb() -> Kb:
    return current_app.extensions["kb"]


def _run(action, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return action(*args, **kwargs)
    except KbError as exc:
        click.echo(f"Fehler: {exc.message('de')}", err=True)
        sys.exit(1)


@click.command("export")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--no-secrets",
    is_flag=True,
    help="Passwort-Hashes leeren und API-/Kalender-Schlüssel weglassen.",
)
@with_appcontext
def export_command(target: Path, no_secrets: bool) -> None:
    """Die ganze Instanz in einen neuen Ordner exportieren (Datenbank, Dateien, Manifest)."""
    from kb.services.portability import export_instance

    report = _run(export_instance, _kb(), target, secrets=not no_secrets)
    rows = sum(report.tables.values())
    click.echo(
        f"Exportiert: {rows} Zeilen aus {len(report.tables)} Tabellen, {report.blobs} Dateien."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Einen Export in diese (leere, mit kb init eingerichtete) Instanz einspielen."""
    from kb.services.portability import restore_instance
    from kb.services.setup import init_instance

    init_instance(_kb())
    counts = _run(restore_instance, _kb(), source)
    click.echo(
        f"Wiederhergestellt: {sum(counts.values())} Zeilen. Der Suchindex ist neu aufgebaut."
    )


COMMANDS = [export_command, restore_command]
