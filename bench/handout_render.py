"""Handout render time for one item: first render in a fresh process, and warm renders.

Why: a handout is rendered on request (then cached by content hash), so the first person to
ask for one waits for the whole of it; in a fresh worker process that wait includes importing
WeasyPrint and loading fonts. The item is made from the 30-slide German test deck
(``benchlib.build_deck``), uploaded and extracted like any other; each measured render goes
through ``kb.services.handouts.item_handout`` with ``<KB_INSTANCE_DIR>/handout-cache`` emptied
first, so the cache never answers.

- cold: a new Python process opens the instance and renders once (WeasyPrint imported lazily
  inside the call, as in a freshly started server). Reference: a new process that imports
  WeasyPrint and renders a minimal one-page HTML with the same options (``pdf/ua-1``); the
  same process then loads pyphen's German dictionary, which the handout's ``hyphens: auto``
  makes WeasyPrint load on a first render and the minimal page does not.
- warm: renders in this process after one unmeasured render, split into database and data,
  Jinja and WeasyPrint by timing wrappers put around ``render_item_html`` and
  ``render_item_handout`` for this benchmark only. Reference: the minimal one-page HTML
  rendered by WeasyPrint in this same process.

The handout has many pages and WeasyPrint's time grows with them, so the ratio per PDF page
is printed too.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import benchlib
from benchlib import Figure

if TYPE_CHECKING:
    from kb.services.context import Kb

MINIMAL_HTML = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Handout</title></head>'
    "<body><h1>Handout</h1><p>Eine Seite mit einem Absatz, Umlauten (äöüß) und nichts "
    "weiter.</p></body></html>"
)


def render_minimal() -> bytes:
    """The reference: WeasyPrint on a minimal one-page HTML, with kb's PDF options."""
    from weasyprint import HTML

    return HTML(string=MINIMAL_HTML).write_pdf(pdf_variant="pdf/ua-1")


def hyphenation_dictionary() -> None:
    """Load pyphen's German dictionary, as WeasyPrint does on the first ``hyphens: auto``.

    The handout stylesheet hyphenates and the minimal reference does not; timing the load on
    its own in a fresh process shows how much of the cold handout it explains.
    """
    import pyphen

    pyphen.Pyphen(lang="de")


def clear_cache(kb: Kb) -> None:
    shutil.rmtree(Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache", ignore_errors=True)


def render_item(kb: Kb, item_id: int) -> bytes:
    """One uncached handout through the service layer, as the page and the CLI ask for it."""
    from kb.services.access import ANONYMOUS
    from kb.services.handouts import item_handout

    clear_cache(kb)
    pdf, _ = item_handout(kb, item_id, ANONYMOUS)
    return pdf


def cached_render(kb: Kb, item_id: int) -> bytes:
    """The same call with the cache left alone: what every later request costs."""
    from kb.services.access import ANONYMOUS
    from kb.services.handouts import item_handout

    return item_handout(kb, item_id, ANONYMOUS)[0]


def make_item(kb: Kb, deck: bytes) -> int:
    """Upload the deck and extract it; return the item id."""
    from kb.services import jobs
    from kb.services.access import ANONYMOUS
    from kb.services.items import ItemMeta, UploadFile, upload_files

    meta = ItemMeta(title="Förderverfahren im Überblick", kind="praesentation")
    upload = UploadFile("foerderverfahren.pptx", io.BytesIO(deck))
    outcome = upload_files(kb, [upload], meta, ANONYMOUS)[0]
    jobs.run_until_idle(kb)
    if outcome.item_id is None or outcome.status != "queued":
        raise RuntimeError(f"upload failed: {outcome}")
    return outcome.item_id


# -- cold: one child process per render --------------------------------------------------


def child_main(mode: str, data_dir: str, item_id: int) -> None:
    """In a fresh process: render once and print the seconds as JSON on stdout."""
    if mode == "reference":
        start = time.perf_counter()
        import weasyprint  # noqa: F401

        imported = time.perf_counter()
        render_minimal()
        rendered = time.perf_counter()
        hyphenation_dictionary()
        end = time.perf_counter()
        times = {
            "import": imported - start,
            "render": rendered - imported,
            "pyphen": end - rendered,
        }
        print(json.dumps(times))
        return
    from kb.app import create_app

    app = create_app({"KB_DATA_DIR": data_dir, "SECRET_KEY": "bench"})
    kb = app.extensions["kb"]
    start = time.perf_counter()
    render_item(kb, item_id)
    print(json.dumps({"render": time.perf_counter() - start}))
    kb.close()


def cold_run(mode: str, data_dir: Path, item_id: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, "--data-dir", str(data_dir)]
    command += ["--item-id", str(item_id)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"cold {mode} render failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# -- warm: in this process ---------------------------------------------------------------


def stage_timers() -> AbstractContextManager[dict[str, float]]:
    """Time Jinja (``render_item_html``) and the whole PDF step (``render_item_handout``)."""
    import kb.handouts
    import kb.handouts.render

    return benchlib.stage_timers(
        [
            (kb.handouts.render, "render_item_html", "html"),
            (kb.handouts, "render_item_handout", "pdf_step"),
        ]
    )


def warm_run(kb: Kb, item_id: int) -> dict[str, float]:
    """One uncached item render (split into stages) and one minimal reference render."""
    with stage_timers() as spent:
        start = time.perf_counter()
        render_item(kb, item_id)
        total = time.perf_counter() - start
    reference = benchlib.timed(render_minimal)
    cached = benchlib.timed(lambda: cached_render(kb, item_id))
    return {
        "warm": total,
        "jinja": spent["html"],
        "weasyprint": spent["pdf_step"] - spent["html"],
        "service": total - spent["pdf_step"],
        "warm_ref": reference,
        "cached": cached,
    }


# -- report ------------------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def report(rounds: list[dict[str, float]], pages: int) -> None:
    def fig(key: str) -> Figure:
        return Figure.of([r[key] for r in rounds])

    def rat(key: str, ref: str, per: int = 1) -> str:
        f = benchlib.ratio([r[key] / per for r in rounds], [r[ref] for r in rounds])
        return f"{f.median:8.1f} x   ({f.low:.1f}–{f.high:.1f})"

    print("first render in a fresh process (import WeasyPrint, fonts, render)")
    benchlib.print_rows(
        [
            ("kb item handout, cold", fig("cold").ms()),
            ("reference: minimal 1-page HTML, cold", fig("cold_ref").ms()),
            ("  of which: import weasyprint", fig("cold_ref_import").ms()),
            ("  of which: first render", fig("cold_ref_render").ms()),
            ("then: load pyphen de dictionary (CSS hyphens)", fig("cold_pyphen").ms()),
            ("ratio cold / reference", rat("cold", "cold_ref")),
        ]
    )
    print("warm renders in one process (cache emptied before each)")
    benchlib.print_rows(
        [
            ("kb item handout, warm", fig("warm").ms()),
            ("  of which: WeasyPrint", fig("weasyprint").ms()),
            ("  of which: Jinja template", fig("jinja").ms()),
            ("  of which: DB, plain data, cache key+write", fig("service").ms()),
            ("reference: minimal 1-page HTML, warm", fig("warm_ref").ms()),
            ("ratio warm / reference", rat("warm", "warm_ref")),
            (f"ratio warm per PDF page ({pages}) / reference", rat("warm", "warm_ref", pages)),
            ("cache hit (for comparison)", fig("cached").ms()),
        ]
    )


def measure(deck: bytes, runs: int) -> tuple[list[dict[str, float]], int]:
    with benchlib.fresh_instance() as app:
        kb = app.extensions["kb"]
        item_id = make_item(kb, deck)
        data_dir = Path(kb.config["KB_DATA_DIR"])
        pages = pdf_pages(render_item(kb, item_id))  # also warms this process up
        render_minimal()
        rounds = []
        for _ in range(runs):
            values = warm_run(kb, item_id)
            values["cold"] = cold_run("kb", data_dir, item_id)["render"]
            ref = cold_run("reference", data_dir, item_id)
            values["cold_ref_import"], values["cold_ref_render"] = ref["import"], ref["render"]
            values["cold_ref"] = ref["import"] + ref["render"]
            values["cold_pyphen"] = ref["pyphen"]
            rounds.append(values)
    return rounds, pages


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.runs_parser(__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["kb", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--item-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.data_dir, args.item_id)
        return 0
    deck = benchlib.build_deck()
    corpus = f"1 item from a {benchlib.SLIDES}-slide PPTX ({len(deck) / 1024:.0f} KiB)"
    benchlib.print_header("handout render", args.runs, corpus)
    rounds, pages = measure(deck, args.runs)
    print(f"handout: {pages} PDF pages\n")
    report(rounds, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
