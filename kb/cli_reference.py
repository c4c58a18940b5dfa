"""``kb districts …``: the reference list of districts at the server's console."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.services.reference import all_districts, load_districts


@click.group("districts")
def districts_group() -> None:
    """Landkreise und kreisfreie Städte (Referenzdaten)."""


@districts_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_command(path: Path) -> None:
    """Landkreise aus einer CSV-Datei laden (ags,name,kind,state,map_row,map_col).

    Alles oder nichts: ist eine Zeile fehlerhaft, wird nichts geschrieben.
    """
    try:
        count = load_districts(current_app.extensions["kb"], path)
    except KbError as exc:
        click.echo(f"Fehler: {exc.message('de')}", err=True)
        sys.exit(1)
    click.echo(f"{count} Landkreise/kreisfreie Städte geladen aus {path.name}.")


@districts_group.command("list")
@with_appcontext
def list_command() -> None:
    """Alle Landkreise und kreisfreien Städte mit Gebietsschlüssel zeigen (jedes Land)."""
    for d in all_districts(current_app.extensions["kb"], every_state=True):
        click.echo(f"{d.ags}\t{d.name}\t{d.kind}\t{d.state}")


COMMANDS = [districts_group]
