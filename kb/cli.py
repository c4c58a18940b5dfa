"""The ``kb`` command: thin wrappers over the service layer.

Every command runs inside the app built by :func:`kb.app.create_app`, so the
CLI, the pages and the tests share one configuration. Errors are printed as
one German line on stderr with a non-zero exit, never as a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from kb.errors import KbError
from kb.logs import configure_logging
from kb.services import jobs
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.check import run_check
from kb.services.context import Kb
from kb.services.indexing import optimize, reindex
from kb.services.items import (
    ItemMeta,
    UploadFile,
    UploadOutcome,
    file_statuses,
    upload_files,
)
from kb.services.setup import init_instance, load_demo
from kb.services.status import collect_stats

logger = logging.getLogger(__name__)


def _kb() -> Kb:
    return current_app.extensions["kb"]


def _fail(message: str) -> NoReturn:
    click.echo(f"Fehler: {message}", err=True)
    sys.exit(1)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Datenbank, Ordner und Suchindex anlegen bzw. aktualisieren (wiederholbar)."""
    try:
        init_instance(_kb())
    except KbError as exc:  # a bad KB_DISTRICTS_FILE
        _fail(exc.message("de"))
    click.echo(f"Bereit: Datenbank {current_app.config['KB_DATABASE_URL']}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Demo-Inhalte laden (einmalig) und durchsuchbar machen."""
    kb = _kb()
    init_instance(kb)
    created = load_demo(kb)
    jobs.run_until_idle(kb)
    click.echo(
        f"Demo-Inhalte: {created} Einträge neu angelegt."
        if created
        else "Demo-Inhalte sind schon geladen."
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Die Web-Anwendung mit waitress starten (mit eingebautem Worker)."""
    from waitress import serve

    configure_logging(default_level="INFO")  # one line per request, the worker's jobs
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kb = _kb()
    init_instance(kb)
    # Sole worker only on SQLite: on PostgreSQL other servers' workers may be running jobs,
    # which a sole worker would take back at start as if they had been interrupted.
    worker = jobs.Worker(kb, sole=kb.db.is_sqlite)
    worker.start_thread()
    click.echo(f"kb läuft auf http://{host}:{port}/ (Strg+C beendet)")
    try:
        serve(
            app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024,
        )
    finally:
        worker.stop()


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Nur den Worker laufen lassen (Textauszug und Indexierung)."""
    configure_logging(default_level="INFO")
    worker = jobs.Worker(_kb())
    # systemctl stop sends SIGTERM: finish the current job, claim no other, then exit, so
    # no job is left "running" for the stale-job timeout to rescue.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: worker.stop())
    worker.run_forever()


def _walk(paths: tuple[Path, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        else:
            yield path


def _import_one(kb: Kb, path: Path, meta: ItemMeta) -> UploadOutcome:
    try:
        with path.open("rb") as fh:
            return upload_files(kb, [UploadFile(path.name, fh)], meta, ANONYMOUS)[0]
    except KbError as exc:
        _fail(exc.message_de)
    except OSError as exc:
        message = f"Die Datei kann nicht gelesen werden ({exc.strerror})."
        return UploadOutcome(path.name, "rejected", messages={"de": message, "en": message})


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", default="sonstiges", help="Art des Eintrags, z. B. praesentation.")
@click.option("--title", default="", help="Titel (nur bei einer Datei).")
@click.option("--event", "event_slug", default=None, help="Kürzel der Veranstaltung.")
@click.option("--district", "districts", multiple=True, help="Gebietsschlüssel (AGS), mehrfach.")
@click.option("--topic", "topics", multiple=True, help="Thema, mehrfach.")
@click.option("--access", type=click.Choice(["public", "internal"]), default="public")
@click.option(
    "--state", type=click.Choice(["draft", "review", "published", "archived"]), default="published"
)
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile pro Datei ausgeben.")
@click.option("--no-wait", is_flag=True, help="Nicht warten, bis die Dateien durchsuchbar sind.")
@with_appcontext
def import_command(
    paths: tuple[Path, ...],
    kind: str,
    title: str,
    event_slug: str | None,
    districts: tuple[str, ...],
    topics: tuple[str, ...],
    access: str,
    state: str,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Dateien und Ordner (rekursiv) importieren."""
    kb = _kb()
    files = list(_walk(paths))
    meta = ItemMeta(
        title=title if len(files) == 1 else "",
        kind=kind,
        access=access,
        state=state,
        event_slug=event_slug,
        districts=list(districts),
        topics=list(topics),
    )
    show_bar = sys.stderr.isatty() and not as_json
    bar = click.progressbar(files, label="Importiere", file=sys.stderr) if show_bar else None
    with bar or contextlib.nullcontext(files) as paths:
        outcomes = [_import_one(kb, path, meta) for path in paths]
    if not no_wait:
        jobs.run_until_idle(kb)
    ids = [o.file_version_id for o in outcomes if o.file_version_id]
    states = {s.file_version_id: s for s in file_statuses(kb, ids, SYSTEM)}
    for path, outcome in zip(files, outcomes, strict=True):
        status = states.get(outcome.file_version_id or -1)
        record = {
            "id": outcome.item_id,
            "title": path.name,
            "file": str(path),
            "sha256": outcome.sha256,
            "status": status.state if status else outcome.status,
            "message": (status.message_de if status else outcome.messages.get("de", "")),
        }
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            suffix = f" – {record['message']}" if record["message"] else ""
            click.echo(f"{record['status']:>10}  {path}{suffix}")
    if any(o.status == "rejected" for o in outcomes):
        sys.exit(1)


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Suchindex vollständig aus der Datenbank neu aufbauen."""
    count = reindex(_kb())
    click.echo(f"Suchindex neu aufgebaut: {count} Dokumente.")


@click.command("optimize")
@with_appcontext
def optimize_command() -> None:
    """Suchindex zusammenführen (schnellere Suche; der Worker tut das jede Nacht)."""
    if not optimize(_kb()):
        _fail("Der Suchindex wird gerade von einem anderen Prozess geschrieben; bitte später.")
    click.echo("Suchindex optimiert.")


@click.command("check")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def check_command(as_json: bool) -> None:
    """Datenbank, Dateien und Suchindex auf Widersprüche prüfen (Exit 1 bei Problemen)."""
    report = run_check(_kb())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "problems": report.problems,
                    "warnings": report.warnings,
                    "counts": report.counts,
                },
                ensure_ascii=False,
            )
        )
    else:
        for line in report.problems:
            click.echo(f"PROBLEM: {line}")
        for line in report.warnings:
            click.echo(f"Hinweis: {line}")
        click.echo("Alles in Ordnung." if report.ok else f"{len(report.problems)} Problem(e).")
    if not report.ok:
        sys.exit(1)


def _size(n: int) -> str:
    """Bytes for people, with a German decimal comma: 1536 -> "1,5 kB"."""
    units = ["B", "kB", "MB", "GB", "TB"]
    size, unit = float(n), units.pop(0)
    while size >= 1024 and units:
        size, unit = size / 1024, units.pop(0)
    return f"{n} B" if unit == "B" else f"{size:.1f} {unit}".replace(".", ",")


@click.command("stats")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def stats_command(as_json: bool) -> None:
    """Bestand, Rückstand von Suchindex und Aufträgen, Speicherplatz."""
    stats = collect_stats(_kb())
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    files, index, jobs_, disk = stats["files"], stats["index"], stats["jobs"], stats["disk"]
    lines = [
        f"Einträge:        {stats['items']}",
        f"Dateien:         {files['total']} (fertig {files.get('done', 0)}, "
        f"ohne Text {files.get('failed', 0)}, in Arbeit {files.get('pending', 0)})",
        f"Seiten/Folien:   {stats['pages']}",
        f"Suchindex:       {index['state']}, Stand {index['applied']} von {index['log_max']} "
        f"(Rückstand {index['lag']})",
        f"Aufträge:        {jobs_['queued']} wartend, {jobs_['running']} laufend, "
        f"{jobs_['failed']} fehlgeschlagen",
        f"Speicher:        Dateien {_size(disk['blobs_bytes'])}, "
        f"Index {_size(disk['index_bytes'])}, Datenbank {_size(disk['database_bytes'])}",
    ]
    for replica in stats["replicas"]:
        mark = " (dieser Server)" if replica["this"] else ""
        mark += " – VERALTET" if replica["stale"] else ""
        seen = dt.datetime.fromisoformat(replica["seen_at"].removesuffix("Z"))
        lines.append(
            f"Indexkopie:      {replica['host']}:{replica['index_dir']}, Stand "
            f"{replica['applied_id']}, zuletzt gemeldet {seen:%d.%m.%Y %H:%M} UTC{mark}"
        )
    lines += [f"PROBLEM: {p}" for p in stats["problems"]]
    lines += [f"Hinweis: {w}" for w in stats["warnings"]]
    click.echo("\n".join(lines))


COMMANDS = [
    init_command,
    demo_command,
    serve_command,
    worker_command,
    import_command,
    reindex_command,
    optimize_command,
    check_command,
    stats_command,
]


def register_commands(app: Flask) -> None:
    from kb.cli_content import COMMANDS as CONTENT_COMMANDS
    from kb.cli_data import COMMANDS as DATA_COMMANDS
    from kb.cli_events import COMMANDS as EVENT_COMMANDS
    from kb.cli_reference import COMMANDS as REFERENCE_COMMANDS
    from kb.cli_users import COMMANDS as ACCOUNT_COMMANDS

    commands = CONTENT_COMMANDS + ACCOUNT_COMMANDS + EVENT_COMMANDS + REFERENCE_COMMANDS
    commands += DATA_COMMANDS
    for command in COMMANDS + commands:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from kb.app import create_app

    return create_app()


def main() -> None:
    configure_logging(default_level="WARNING")  # KB_LOG_FORMAT, KB_LOG_LEVEL (kb/logs.py)
    cli = FlaskGroup(
        name="kb",
        create_app=_create_app,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="kb – Wissensdatenbank der Integrationskoordination Sachsen-Anhalt",
    )
    cli.main(prog_name="kb")
