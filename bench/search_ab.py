"""A/B in one process: kb's search path against Whoosh's own, on the load benchmark's data.

Two changes of 2026-12-06 are measured here against what Whoosh does by itself, on the same
index in the same process, alternating A and B so both see the machine's same moment:

- **Scoring**: Whoosh's ``BM25F`` (a field-length lookup through four Python calls per
  document and term) against ``kb.search.scoring.TableBM25F`` (a byte table per segment).
  Every query of bench/loadlib.QUERIES through ``run_search``, median of ``--runs`` each;
  the scores of the two are compared for equality on the way.
- **Reopen**: the first search after a commit (the searcher is reopened, as every web worker
  does after each upload) with Whoosh's ``BufferFile`` (copies each part of a compound segment
  into a ``BytesIO``) against ``kb.search.mapped.MappedFile`` (reads from the memory map);
  with the Python heap's peak during that search (tracemalloc).

The instance: ``--data-dir`` of an existing one (e.g. kept from a load run), or a new one
with ``--items`` generated items of ``--pages`` pages (bench/loadlib.populate, SQLite) under
a temporary folder. ``--optimize`` merges the index into one compound segment first, the
state after the worker's nightly optimise.

    .venv/bin/python bench/search_ab.py --items 10000 --pages 10 --optimize
    .venv/bin/python bench/search_ab.py --data-dir /tmp/kept-instance --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import print_header  # noqa: E402
from loadlib import QUERIES, populate  # noqa: E402


def _median_ms(call: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def scoring(kb: Any, runs: int) -> None:
    from whoosh.scoring import BM25F

    from kb.search import index as kb_index
    from kb.search.scoring import TableBM25F
    from kb.services.access import ANONYMOUS
    from kb.services.search import run_search

    weightings = {"whoosh BM25F": lambda cache: BM25F(), "kb TableBM25F": TableBM25F}
    print(f"\nScoring: median of {runs} per query, ms (A and B alternate twice)")
    print(f"  {'query':28s} {'whoosh BM25F':>13s} {'kb table':>9s} {'ratio':>6s} same")
    ratios = []
    for text in QUERIES:
        times: dict[str, list[float]] = {name: [] for name in weightings}
        hits: dict[str, list[tuple[int, float]]] = {}
        for name in [*weightings, *weightings]:
            kb_index.TableBM25F = weightings[name]  # the weighting the next reopen uses
            kb.index.close()
            page = run_search(kb, text, ANONYMOUS)  # reopen, warm the caches
            hits[name] = [(h.item_id, h.score) for h in page.hits]
            times[name].append(_median_ms(lambda t=text: run_search(kb, t, ANONYMOUS), runs))
        kb_index.TableBM25F = TableBM25F
        a, b = (statistics.median(times[name]) for name in weightings)
        ratios.append(b / a)
        same = hits["whoosh BM25F"] == hits["kb TableBM25F"]
        print(f"  {text:28s} {a:13.1f} {b:9.1f} {b / a:6.2f} {'yes' if same else 'NO'}")
    print(f"  median ratio kb/whoosh over {len(QUERIES)} queries: {statistics.median(ratios):.2f}")


def reopen(kb: Any, runs: int) -> None:
    from whoosh.filedb import compound
    from whoosh.filedb.structfile import BufferFile

    from kb.search.mapped import MappedFile
    from kb.services.access import ANONYMOUS
    from kb.services.search import run_search

    def first_search() -> None:
        kb.index.close()
        run_search(kb, "Beratung", ANONYMOUS)

    compound_bytes = sum(p.stat().st_size for p in kb.index.current_dir().glob("*.seg"))
    print(
        f"\nReopen + first search ('Beratung'), compound segments: {compound_bytes / 2**20:.0f} MiB"
    )
    print(f"  {'reader':28s} {'median ms':>10s} {'heap peak MiB':>14s}")
    for name, cls in [
        ("whoosh BufferFile (copies)", BufferFile),
        ("kb MappedFile", MappedFile),
    ] * 2:
        compound.BufferFile = cls
        ms = _median_ms(first_search, runs)
        tracemalloc.start()
        first_search()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  {name:28s} {ms:10.1f} {peak / 2**20:14.1f}")
    compound.BufferFile = MappedFile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="an existing instance (SQLite)")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--optimize", action="store_true", help="one compound segment first")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    corpus = (
        str(args.data_dir)
        if args.data_dir
        else f"{args.items} generated items x {args.pages} pages"
    )
    print_header("search_ab: kb's search path against Whoosh's own", args.runs, corpus)
    with tempfile.TemporaryDirectory(prefix="kb-search-ab-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        url = f"sqlite:///{data_dir / 'kb.sqlite3'}"
        if args.data_dir is None:
            print("set-up:", populate(data_dir, url, args.items, args.pages, demo=False))
        from kb.app import create_app

        app = create_app({"KB_DATA_DIR": str(data_dir), "KB_DATABASE_URL": url, "KB_PREVIEWS": 0})
        kb = app.extensions["kb"]
        try:
            if args.optimize:
                kb.index.optimize()
            with kb.index.searching() as searcher:
                print(
                    "segments:",
                    len(searcher.reader().leaf_readers()),
                    "documents:",
                    searcher.doc_count(),
                )
            scoring(kb, args.runs)
            reopen(kb, args.runs)
        finally:
            kb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
