"""Relevance: recall@10 and MRR of the judged queries on a fixed test collection.

Why: "Integration finds Arbeitsmarktintegration", "AMIF finds the Asyl-, Migrations- und
Integrationsfonds" and the like are promises of the design (design.md, "Search"); this
measures how far the engine keeps them, per kind of query, on real documents.

The collection (demo content for a fixed date plus the shared real-document corpus) and the
judged queries are those of ``tests/relevance`` (see ``tests/relevance/harness.py`` and
``tests/relevance/judgements.tsv``); ``tests/test_relevance.py`` asserts floors on the same
figures. Only the public search service is used, as an anonymous visitor.

Printed: per kind and overall, the number of queries, recall@10 (share of the relevant
documents among the first 10 items, averaged over queries) and MRR (1/rank of the first
relevant item within the first 10, else 0, averaged); then every query with the rank of its
first relevant item ("-" when none is among the first 50) and the relevant documents missing
from the first 10, each with its rank if it was found further down.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

import benchlib

ROOT = Path(__file__).resolve().parents[1]


def _harness():  # type: ignore[no-untyped-def]
    """``tests/relevance/harness.py``, imported from the repository root."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.relevance import harness

    return harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only-misses", action="store_true", help="list only queries that miss something"
    )
    args = parser.parse_args(argv)
    harness = _harness()
    if not harness.corpus_available():
        print(f"corpus folder {harness.CORPUS_DIR} (KB_CORPUS_DIR) is missing", file=sys.stderr)
        return 2
    _print_header(harness)
    start = time.perf_counter()
    coll = harness.collection()
    built = time.perf_counter() - start
    judgements = harness.load_judgements()
    start = time.perf_counter()
    metrics = harness.evaluate(coll, judgements)
    searched = time.perf_counter() - start
    objects = sum(1 for name in coll.items if name.startswith(harness.OBJECT_MARK))
    print(
        f"collection: {len(coll.items) - objects} files ({len(coll.without_text)} without text, "
        f"searchable by title only) and {objects} events and Q&A entries, built in {built:.0f} s"
    )
    print(f"queries:    {len(judgements)} judged, run in {searched:.1f} s")
    print()
    _print_figures(harness, metrics)
    _print_queries(harness, metrics, args.only_misses)
    return 0


def _print_header(harness) -> None:  # type: ignore[no-untyped-def]
    info = benchlib.machine()
    argv = [benchlib._relative(sys.executable), benchlib._relative(sys.argv[0]), *sys.argv[1:]]
    print("== Relevance: recall@10 and MRR of judged queries")
    print(f"command: {shlex.join(argv)}")
    print(f"date:    {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}")
    print(f"commit:  {_commit()}")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram']} RAM")
    print(f"         {info['os']}, Python {info['python']}")
    print(f"corpus:  {harness.CORPUS_DIR} + demo content of {harness.DEMO_TODAY.isoformat()}")
    print(f"judged:  {benchlib._relative(str(harness.JUDGEMENTS))}")
    print()


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _print_figures(harness, metrics) -> None:  # type: ignore[no-untyped-def]
    print(f"  {'kind':<12} {'queries':>7} {'recall@10':>10} {'MRR':>6}")
    for kind, fig in metrics.by_kind.items():
        print(f"  {kind:<12} {fig.queries:>7} {fig.recall:>10.3f} {fig.mrr:>6.3f}")
    fig = metrics.overall
    print(f"  {'overall':<12} {fig.queries:>7} {fig.recall:>10.3f} {fig.mrr:>6.3f}")
    print()


def _print_queries(harness, metrics, only_misses: bool) -> None:  # type: ignore[no-untyped-def]
    width = max(len(r.judgement.query) for r in metrics.results)
    print(f"  {'kind':<11} {'query':<{width}} {'first':>5} {'found':>5}  missing from the top 10")
    for result in metrics.results:
        misses = result.misses
        if only_misses and not misses:
            continue
        ranks = result.ranks
        first = result.first_rank
        j = result.judgement
        found = f"{len(j.relevant) - len(misses)}/{len(j.relevant)}"
        missing = ", ".join(f"{n} ({ranks[n] or '-'})" for n in misses)
        print(f"  {j.kind:<11} {j.query:<{width}} {first or '-':>5} {found:>5}  {missing}".rstrip())
    print()


if __name__ == "__main__":
    sys.exit(main())
