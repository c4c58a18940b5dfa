"""``kb search`` and ``kb handout``: what a person finds and hands out, from the console."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from kb.cli import _fail, _kb
from kb.errors import KbError
from kb.services import handouts as handout_service
from kb.services.access import ANONYMOUS
from kb.services.accounts import viewer_by_name
from kb.services.discovery import spelling_suggestion
from kb.services.search import run_search


@click.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--as", "as_user", default=None, help="Als dieser Benutzer suchen (sonst anonym).")
@with_appcontext
def search_command(query: str, as_json: bool, limit: int, as_user: str | None) -> None:
    """Suchen – anonym, oder mit den Rechten eines Kontos (--as)."""
    kb = _kb()
    who = ANONYMOUS
    if as_user:
        try:
            who = viewer_by_name(kb, as_user)
        except KbError as exc:
            _fail(exc.message("de"))
    result = run_search(kb, query, who, page=1, page_size=limit)
    base = kb.base_url
    if as_json:
        payload = {
            "total": result.total,
            "hits": [
                {
                    "id": h.item_id,
                    "type": h.object_type,
                    "title": h.title,
                    "kind": h.kind,
                    "url": f"{base}{h.path}",
                    "score": round(h.score, 4),
                    "pages": [{"page": p.number, "snippet": p.snippet} for p in h.pages],
                    "files": h.files,
                }
                for h in result.hits
            ],
            "facets": {
                f.name: [{"value": v.value, "label": v.label, "count": v.count} for v in f.values]
                for f in result.facets
            },
            "suggestion": spelling_suggestion(kb, query, who) if result.total < 3 else None,
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(f"{result.total} Treffer")
    for h in result.hits:
        where = ", ".join(p.label for p in h.pages)
        ref = h.item_id if h.object_type == "item" else h.path
        click.echo(f"[{ref}] {h.title}" + (f" ({where})" if where else ""))


@click.command("handout")
@click.argument("item_ids", type=int, nargs=-1)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default="Mappe", show_default=True, help="Titel bei mehreren Einträgen.")
@click.option("--event", "event_slug", default=None, help="Handout einer ganzen Veranstaltung.")
@click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Sprache des Handouts (Überschriften, Beschriftungen, /Lang).",
)
@with_appcontext
def handout_command(
    item_ids: tuple[int, ...], output: Path, title: str, event_slug: str | None, lang: str
) -> None:
    """Handout (PDF) eines Eintrags oder einer Veranstaltung (--event) schreiben.

    Mehrere Einträge ergeben eine Mappe. Die Nummer eines Leitfadens ergibt das
    Leitfaden-Handout (Gültigkeit, Checkliste, Fristen, Was ist neu, FAQ); eine
    eigene Option --guidance gibt es daher nicht.
    """
    if bool(item_ids) == bool(event_slug):
        _fail("Bitte Eintragsnummern oder --event KÜRZEL angeben (nicht beides).")
    try:
        if event_slug:
            from kb.services.handout_kinds import event_handout

            pdf, _name = event_handout(_kb(), event_slug, ANONYMOUS, lang)
        elif len(item_ids) == 1:
            pdf, _name = handout_service.item_handout(_kb(), item_ids[0], ANONYMOUS, lang)
        else:
            ids = list(dict.fromkeys(item_ids))
            pdf, _name = handout_service.bundle_handout(_kb(), title, "", ids, ANONYMOUS, lang)
    except KbError as exc:
        _fail(exc.message_de)
    output.write_bytes(pdf)
    click.echo(f"Handout geschrieben: {output} ({len(pdf)} Bytes)")


COMMANDS = [search_command, handout_command]
