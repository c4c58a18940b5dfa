"""``kb export``, ``kb restore``, ``kb backup``, ``kb bulk-import``: data leaving and returning."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.services.context import Kb

logger = logging.getLogger(__name__)


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
@click.option(
    "--merge",
    is_flag=True,
    help="In eine Instanz mit eigenem Inhalt einfügen: Vorhandenes bleibt, wie es ist.",
)
@with_appcontext
def restore_command(source: Path, merge: bool) -> None:
    """Einen Export in diese (leere, mit kb init eingerichtete) Instanz einspielen, mit
    --merge in eine Instanz, die schon Inhalt hat."""
    from kb.services.portability import restore_instance
    from kb.services.setup import init_instance

    init_instance(_kb())
    if merge:
        _merge(source)
        return
    counts = _run(restore_instance, _kb(), source)
    click.echo(
        f"Wiederhergestellt: {sum(counts.values())} Zeilen. Der Suchindex ist neu aufgebaut."
    )


def _merge(source: Path) -> None:
    from kb.services import jobs
    from kb.services.merge import merge_instance

    report = _run(merge_instance, _kb(), source)
    jobs.run_until_idle(_kb())  # text and index: searchable when the command ends
    for label, counts in (
        ("Hinzugefügt", report.added),
        ("Wiederverwendet", report.reused),
        ("Übersprungen", report.skipped),
    ):
        listed = ", ".join(f"{n} {table}" for table, n in sorted(counts.items()) if n)
        click.echo(f"{label}: {listed or 'nichts'}")
    for title, item_id in report.skipped_items:
        click.echo(f"schon vorhanden: „{title}“ (Eintrag {item_id})")
    if report.left_out:
        click.echo(f"Nicht übernommen: {', '.join(report.left_out)}")


@click.command("backup")
@click.argument("root", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", default=7, show_default=True, type=int, help="So viele behalten.")
@click.option(
    "--no-secrets",
    is_flag=True,
    help="Passwort-Hashes leeren und API-/Kalender-Schlüssel weglassen.",
)
@with_appcontext
def backup_command(root: Path, keep: int, no_secrets: bool) -> None:
    """Datierte Sicherung (kb-backup-JJJJMMTT-HHMMSS) in ROOT schreiben; die neuesten
    --keep behalten. Exit 1 mit Meldung, wenn die Sicherung nicht gelingt."""
    from kb.services.backup import run_backup

    try:
        result = _run(run_backup, _kb(), root, keep=keep, secrets=not no_secrets)
    except Exception:  # a cron job must see a German line and exit 1, never a traceback only
        logger.exception("Backup failed")
        click.echo("Fehler: Die Sicherung ist fehlgeschlagen (siehe Log).", err=True)
        sys.exit(1)
    click.echo(f"Sicherung geschrieben: {result.path}")
    for old in result.removed:
        click.echo(f"Alte Sicherung entfernt: {old.name}")


COMMANDS = [export_command, restore_command, backup_command]


def _describe(planned) -> str:  # type: ignore[no-untyped-def]
    m = planned.meta
    parts = [f"Art {m.kind}", f"Zugriff {m.access}", f"Status {m.state}"]
    if m.event_slug:
        parts.append(f"Veranstaltung {m.event_slug}")
    if m.districts:
        parts.append("Kreise " + ", ".join(m.districts))
    if m.topics:
        parts.append("Themen " + ", ".join(m.topics))
    return "; ".join(parts)


@click.command("bulk-import")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur berichten, was geschähe; nichts speichern.")
@click.option("--no-wait", is_flag=True, help="Nicht warten, bis die Dateien durchsuchbar sind.")
@with_appcontext
def bulk_import_command(root: Path, dry_run: bool, no_wait: bool) -> None:
    """Einen Ordnerbaum mit Angaben aus kb-meta.csv je Ordner importieren."""
    from kb.services import jobs
    from kb.services.bulk_import import plan_import, run_import

    plan = plan_import(_kb(), root)
    for error in plan.errors:
        click.echo(f"Fehler: {error}")
    for planned in plan.files:
        where = planned.path.relative_to(root)
        if planned.errors:
            click.echo(f"Fehler: {where}: {' '.join(planned.errors)}")
        elif planned.duplicate_of is not None:
            click.echo(f"vorhanden: {where} (bereits als Eintrag {planned.duplicate_of})")
        elif dry_run:
            click.echo(f"würde importiert: {where} – {_describe(planned)}")
    if not plan.ok:
        click.echo(f"{len(plan.files)} Dateien geprüft; wegen Fehlern wird nichts importiert.")
        sys.exit(1)
    if dry_run:
        click.echo(f"Probelauf: {len(plan.files)} Dateien geprüft, nichts gespeichert.")
        return
    done = _run(run_import, _kb(), plan)
    if not no_wait:
        jobs.run_until_idle(_kb())
    for planned, outcome in done:
        if outcome.status != "duplicate":
            click.echo(
                f"{outcome.status:>10}  {planned.path.relative_to(root)} -> {outcome.item_id}"
            )
    click.echo(f"Importiert: {sum(o.status != 'duplicate' for _, o in done)} Dateien.")


COMMANDS.append(bulk_import_command)
