"""Handouts of every kind: warm render time, cache hit, and peak memory (issue #6 targets).

What is measured, each through the service layer on one instance made for the run:

- item handout: the 30-slide German test deck (``benchlib.build_deck``), uncached, warm
  (target <= 0.5 s);
- event handout with 10 talks, each a 12-slide deck, a programme of 12 entries
  (target <= 3 s);
- Mappe of 50 items (text items of 3 pages each; every item contributes up to the Mappe's
  page limit) (target <= 10 s);
- cache hit: the second request for the item handout;
- peak memory: the peak resident set size (VmHWM) of a fresh process that renders each
  kind once, and its size before the render (app opened).

Reference, in the same run and process: WeasyPrint rendering a minimal one-page HTML with
the same options; the ratios survive a noisy machine where the seconds do not.
Run: ``.venv/bin/python bench/handouts.py [--runs 5]``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import benchlib
from benchlib import Figure
from handout_render import render_minimal

if TYPE_CHECKING:
    from kb.services.context import Kb

TALKS = 10
MAPPE_ITEMS = 50


def _upload(kb: Kb, name: str, data: bytes, **meta: object) -> int:
    from kb.services.access import ANONYMOUS
    from kb.services.items import ItemMeta, UploadFile, upload_files

    files = [UploadFile(name, io.BytesIO(data))]
    outcome = upload_files(kb, files, ItemMeta(**meta), ANONYMOUS, twins=True)  # same decks
    if outcome[0].item_id is None:
        raise RuntimeError(outcome)
    return outcome[0].item_id


def build(kb: Kb) -> dict[str, object]:
    """The data: one deck item, an event with 10 talks, 50 text items for the Mappe."""
    from kb.services import agenda, events, jobs
    from kb.services.access import SYSTEM

    deck_item = _upload(kb, "deck.pptx", benchlib.build_deck(), title="Förderverfahren")
    slug = events.create_event(kb, events.EventData("Werkstatt", dt.date(2026, 5, 6)), SYSTEM)
    rows = [agenda.AgendaData("09:00", "09:30", "Begrüßung")]
    for n in range(TALKS):
        talk = _upload(kb, f"talk{n}.pptx", benchlib.build_deck(12), title=f"Impuls {n}",
                       kind="impulsvortrag", event_slug=slug, speakers=f"Team {n}")  # fmt: skip
        rows.append(agenda.AgendaData(f"{10 + n}:00", f"{10 + n}:45", f"Impuls {n}", "", talk))
    agenda.set_agenda(kb, slug, rows, SYSTEM)
    texts = []
    for n in range(MAPPE_ITEMS):
        body = "\f".join(f"Eintrag {n} Seite {p}: " + "Förderung Nachweis " * 40 for p in range(3))
        texts.append(_upload(kb, f"text{n}.txt", body.encode(), title=f"Eintrag {n}"))
    jobs.run_until_idle(kb)
    return {"item": deck_item, "event": slug, "mappe": texts}


def clear_cache(kb: Kb) -> None:
    shutil.rmtree(Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache", ignore_errors=True)


def render(kb: Kb, kind: str, target: object) -> bytes:
    from kb.services.access import ANONYMOUS
    from kb.services.handout_kinds import event_handout
    from kb.services.handouts import bundle_handout, item_handout

    if kind == "item":
        return item_handout(kb, int(target), ANONYMOUS)[0]  # type: ignore[arg-type]
    if kind == "event":
        return event_handout(kb, str(target), ANONYMOUS)[0]
    ids = list(target)  # type: ignore[call-overload]
    return bundle_handout(kb, "Mappe", "", ids, ANONYMOUS)[0]


def warm_round(kb: Kb, targets: dict[str, object]) -> dict[str, float]:
    times: dict[str, float] = {}
    for kind in ("item", "event", "mappe"):
        clear_cache(kb)
        times[kind] = benchlib.timed(lambda kind=kind: render(kb, kind, targets[kind]))
        if kind == "item":  # the same request again: served from the cache
            times["cached"] = benchlib.timed(lambda: render(kb, "item", targets["item"]))
    times["reference"] = benchlib.timed(render_minimal)
    return times


def child_main(kind: str, data_dir: str, target: str) -> None:
    """In a fresh process: render one handout, print the peak resident set size (MiB)."""
    from kb.app import create_app

    app = create_app({"KB_DATA_DIR": data_dir, "SECRET_KEY": "bench"})
    kb = app.extensions["kb"]
    clear_cache(kb)
    before = _vm_hwm_mib()
    pages = len(
        __import__("pypdf").PdfReader(io.BytesIO(render(kb, kind, json.loads(target)))).pages
    )
    peak = _vm_hwm_mib()
    print(json.dumps({"peak_mib": peak, "before_mib": before, "pages": pages}))
    kb.close()


def _vm_hwm_mib() -> float:
    """Peak resident set size of this process (VmHWM). Not ``ru_maxrss``: Linux keeps that
    across execve, so a child of a big benchmark process would report the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_memory(data_dir: str, targets: dict[str, object]) -> dict[str, float]:
    out = {}
    for kind in ("item", "event", "mappe"):
        command = [sys.executable, __file__, "--child", kind, "--data-dir", data_dir,
                   "--target", json.dumps(targets[kind])]  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-3000:])
        out[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = benchlib.runs_parser(__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse_hidden())
    parser.add_argument("--data-dir", help=argparse_hidden())
    parser.add_argument("--target", help=argparse_hidden())
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.data_dir, args.target)
        return
    corpus = f"30-slide deck; event with {TALKS} talks of 12 slides; Mappe of {MAPPE_ITEMS} items"
    benchlib.print_header("Handouts (bench/handouts.py)", args.runs, corpus)
    with benchlib.fresh_instance() as app:
        logging.getLogger().setLevel(logging.WARNING)  # WeasyPrint's progress lines
        kb = app.extensions["kb"]
        targets = build(kb)
        warm_round(kb, targets)  # unmeasured: imports, fonts, lexicon
        rounds = [warm_round(kb, targets) for _ in range(args.runs)]
        memory = peak_memory(str(kb.config["KB_DATA_DIR"]), targets)

    def fig(key: str) -> Figure:
        return Figure.of([r[key] for r in rounds])

    def rat(key: str) -> str:
        f = benchlib.ratio([r[key] for r in rounds], [r["reference"] for r in rounds])
        return f"{f.median:7.1f} x   ({f.low:.1f}–{f.high:.1f})"

    benchlib.print_rows(
        [
            ("item handout, warm (target <= 0.5 s)", fig("item").ms()),
            (f"event handout, {TALKS} talks (target <= 3 s)", fig("event").ms()),
            (f"Mappe, {MAPPE_ITEMS} items (target <= 10 s)", fig("mappe").ms()),
            ("cache hit (item)", fig("cached").ms()),
            ("reference: minimal 1-page HTML", fig("reference").ms()),
        ]
    )
    print("ratios to the reference (same run)")
    benchlib.print_rows([(k, rat(k)) for k in ("item", "event", "mappe", "cached")])
    print("peak memory of a fresh process rendering once (VmHWM; before = app opened)")
    benchlib.print_rows(
        [
            (k, f"{v['peak_mib']:6.0f} MiB  (before the render {v['before_mib']:.0f} MiB; "
                f"{v['pages']} PDF pages)")
            for k, v in memory.items()
        ]
    )  # fmt: skip


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
