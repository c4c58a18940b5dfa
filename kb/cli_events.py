"""``kb events …``: list and add events at the server's console (acting as the operator)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.services import event_pages, events
from kb.services.access import SYSTEM
from kb.services.context import Kb


def _kb() -> Kb:
    return current_app.extensions["kb"]


def _date(value: str | None, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        click.echo(f"Fehler: {label} „{value}“ ist kein Datum (JJJJ-MM-TT).", err=True)
        sys.exit(1)


@click.group("events")
def events_group() -> None:
    """Veranstaltungen auflisten und anlegen."""


@events_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def events_list(as_json: bool) -> None:
    """Alle Veranstaltungen nach Reihe, die neuesten zuerst."""
    rows = [
        {
            "slug": e.slug,
            "series": s.slug,
            "series_title": s.title if s.slug else None,
            "number": e.number,
            "title": e.title,
            "starts_on": e.starts_on.isoformat() if e.starts_on else None,
            "ends_on": e.ends_on.isoformat() if e.ends_on else None,
            "city": e.city,
            "host_district": e.host_district or None,
            "access": e.access,
        }
        for s in event_pages.timeline(_kb(), SYSTEM)
        for year in s.years
        for e in year.events
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo("Keine Veranstaltungen.")
    for r in rows:
        # Titles often carry the number already ("13. IKOE-Ideenwerkstatt"): no second one.
        title = str(r["title"])
        number = (
            f"{r['number']}. " if r["number"] and not title.startswith(f"{r['number']}.") else ""
        )
        where = f", {r['city']}" if r["city"] else ""
        click.echo(f"{r['slug']}: {number}{title} ({r['starts_on'] or 'ohne Datum'}{where})")


@events_group.command("add")
@click.option("--title", required=True)
@click.option(
    "--series", default="", help="Slug oder Titel einer Reihe; neu, wenn es sie nicht gibt."
)
@click.option("--number", type=int, default=None, help="Nummer in der Reihe.")
@click.option("--starts", required=True, help="Erster Tag, JJJJ-MM-TT.")
@click.option("--ends", default=None, help="Letzter Tag, JJJJ-MM-TT.")
@click.option("--city", default="")
@click.option("--venue", default="")
@click.option("--district", default=None, help="Gebietsschlüssel (AGS) des gastgebenden Kreises.")
@click.option("--access", type=click.Choice(["public", "internal"]), default="public")
@with_appcontext
def events_add(
    title: str,
    series: str,
    number: int | None,
    starts: str,
    ends: str | None,
    city: str,
    venue: str,
    district: str | None,
    access: str,
) -> None:
    """Eine Veranstaltung anlegen; gibt ihren Kurznamen (Slug) aus."""
    kb = _kb()
    series_slug = events.series_by_text(kb, series) if series.strip() else None
    data = events.EventData(
        title=title,
        starts_on=_date(starts, "Beginn"),
        ends_on=_date(ends, "Ende"),
        series_slug=series_slug,
        new_series_title="" if series_slug else series,
        number=number,
        city=city,
        venue=venue,
        host_district_ags=district,
        access=access,
    )
    try:
        slug = events.create_event(kb, data, SYSTEM)
    except KbError as exc:
        click.echo(f"Fehler: {exc.message('de')}", err=True)
        sys.exit(1)
    click.echo(f"Veranstaltung angelegt: {slug} ({kb.base_url}/events/{slug})")


COMMANDS = [events_group]
