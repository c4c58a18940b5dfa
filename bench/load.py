"""Load: simulated users against gunicorn (2 workers) + ``kb worker``, SQLite and PostgreSQL.

Each configuration gets a fresh instance (demo content plus ``--items`` generated items
with ``--pages`` pages of German text each). Two servers run on it side by side: the
production set-up (gunicorn with 2 workers and ``-c python:kb.gunicorn_conf``, plus a
separate ``kb worker``) and the reference, ``kb serve`` (waitress, one process, its own
worker thread; ``--no-reference`` leaves it out). Both databases are set up first and
then measured in turns (SQLite production, SQLite reference, PostgreSQL production,
PostgreSQL reference, and again), so each comparison shares the machine's noise of that
moment; the ratios of the medians are the figures to compare across days.

Every simulated user is a thread that repeats: wait ``--think`` seconds (uniform), then
one request of a weighted mix — home page, a search for a common German word, an item
page, a file download, now and then an upload (a small unique text file through the
form, with session cookie and CSRF token). Reported per kind: count, p50/p95/p99; plus
requests/s, errors (any status other than the expected one, or no answer) and the
resident memory of each server process at the end of a run. Afterwards every upload the
server acknowledged is looked for (queue run dry, its unique word searched) and ``kb check``
runs: "lost uploads" must be 0. ``--ramp 75,100,150`` adds one run per user count on the
production set-up of each database (``--ramp-seconds`` long, in turns) and stops where
search p95 passes 1 s.

    .venv/bin/python bench/load.py                      # SQLite, and PostgreSQL if possible
    .venv/bin/python bench/load.py --users 50 --seconds 40 --runs 2 --items 2000
    .venv/bin/python bench/load.py --no-postgres --items 20 --users 3 --seconds 3 --runs 1
    .venv/bin/python bench/load.py --items 10000 --pages 10 --seconds 300 --no-reference \
        --ramp 100,150,200,300,400 --ramp-seconds 120

PostgreSQL: ``KB_TEST_DATABASE_URL`` if set (a database is created on that server), else
a throwaway server from ``scripts/pg-test-cluster.sh``; skipped with a message when
neither works. The load generator shares the machine with the servers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import print_header  # noqa: E402
from loadlib import (  # noqa: E402
    KINDS,
    MIX,
    Server,
    median_of,
    populate,
    production,
    reference,
    run_load,
    targets,
    verify_uploads,
)

Run = dict  # type: ignore[type-arg]


@dataclass
class Instance:
    """One database with its servers and the runs measured on them."""

    label: str
    url: str
    data_dir: Path
    docs: list[tuple[int, int]]
    servers: list[Server]
    runs: dict[str, list[Run]] = field(default_factory=dict)
    ramp_passed: bool = False

    @property
    def prod(self) -> list[Run]:
        return self.runs.get(self.servers[0].name, [])

    @property
    def ref(self) -> list[Run]:
        return self.runs.get(self.servers[1].name, []) if len(self.servers) > 1 else []


def set_up(label: str, url: str, data_dir: Path, args: argparse.Namespace) -> Instance:
    t0 = time.perf_counter()
    counts = populate(data_dir, url, args.items, args.pages, not args.no_demo)
    print(f"-- {label}: {counts['items']} items, {counts['pages']} pages "
          f"(set up in {time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip
    servers = [production(data_dir, url, data_dir / "prod.log")]
    if not args.no_reference:
        servers.append(reference(data_dir, url, data_dir / "ref.log"))
    return Instance(label, url, data_dir, targets(data_dir, url), servers)


def measure(instances: list[Instance], args: argparse.Namespace) -> None:
    """Start every server, then the measured runs in turns (each after an unmeasured warm-up
    of ``--warm`` seconds), then the ramp."""
    warm = argparse.Namespace(
        **{**vars(args), "users": 4, "seconds": args.warm, "think": (0, 0.05)}
    )
    for inst in instances:
        for server in inst.servers:
            server.start()
    for _ in range(args.runs):
        for inst in instances:
            for server in inst.servers:
                # Not measured: loads lexicon, index and templates, and reads back into the page
                # cache what the kernel evicted while the other instance ran (see io_stall_s).
                run_load(server, inst.docs, warm)
                before = io_stall_s()
                run = run_load(server, inst.docs, args)
                run["io_stall_s"] = io_stall_s() - before
                inst.runs.setdefault(server.name, []).append(run)
    ramp(instances, args)


def io_stall_s() -> float:
    """Seconds in which every runnable task of the machine waited on I/O (Linux PSI, "full");
    nan where /proc/pressure is missing. A run's share shows disk reads behind its tail, e.g.
    index pages the kernel's proactive reclaim (DAMON pageout) had written out of the cache."""
    try:
        line = Path("/proc/pressure/io").read_text().splitlines()[-1]
        return int(line.rsplit("total=", 1)[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return float("nan")


def ramp(instances: list[Instance], args: argparse.Namespace) -> None:
    """More users, one run each on each production set-up, until search p95 passes 1 s."""
    ramp_args = {**vars(args), "seconds": args.ramp_seconds or args.seconds}
    for users in args.ramp:
        for inst in [i for i in instances if not i.ramp_passed]:
            run = run_load(
                inst.servers[0], inst.docs, argparse.Namespace(**{**ramp_args, "users": users})
            )
            p95 = run["kinds"].get("search", {}).get("p95", float("nan"))
            rss = sum(total for total, _anon in run["memory"].values())
            anon = sum(anon for _total, anon in run["memory"].values())
            print(f"  ramp {inst.label}: {users} users -> search p95 {p95:.0f} ms, "
                  f"{run['rps']:.1f} requests/s, errors {run['errors']}, "
                  f"memory of all processes {rss:.0f} MiB ({anon:.0f} MiB anonymous)",
                  flush=True)  # fmt: skip
            if p95 > 1000:
                print(f"  ramp {inst.label}: search p95 passed 1 s at {users} users")
                inst.ramp_passed = True
    for inst in instances:
        if args.ramp and not inst.ramp_passed:
            print(f"  ramp {inst.label}: search p95 stayed under 1 s up to {args.ramp[-1]} users")


def report(inst: Instance) -> None:
    prod, ref = inst.prod, inst.ref
    print(f"-- {inst.label}")
    right = f"{'kb serve (reference)':>28}   ratio p50" if ref else ""
    print(f"  {'':10} {'gunicorn 2w + worker':>38}   {right}")
    print(f"  {'kind':10} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}   "
          + (f"{'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}" if ref else ""))  # fmt: skip
    for kind in KINDS:
        a = [median_of(prod, "kinds", kind, q) for q in ("n", "p50", "p95", "p99")]
        line = f"  {kind:10} {a[0]:6.0f} {a[1]:9.1f} {a[2]:9.1f} {a[3]:9.1f}   "
        if ref:
            b = [median_of(ref, "kinds", kind, q) for q in ("p50", "p95", "p99")]
            ratio = a[1] / b[0] if b[0] else float("nan")
            line += f"{b[0]:9.1f} {b[1]:9.1f} {b[2]:9.1f}   {ratio:5.2f}x"
        print(line)
    errors = [r["errors"] for r in prod]
    if ref:
        rps = f"{median_of(prod, 'rps'):.1f} (reference {median_of(ref, 'rps'):.1f})"
        print(f"  requests/s: {rps}; "
              f"errors per run: {errors} (reference {[r['errors'] for r in ref]})")  # fmt: skip
    else:
        print(f"  requests/s: {median_of(prod, 'rps'):.1f}; errors per run: {errors}")
    per_run = ", ".join(f"{median_of([r], 'kinds', 'search', 'p95'):.0f}" for r in prod)
    stalls = ", ".join(f"{r.get('io_stall_s', float('nan')):.1f}" for r in prod)
    print(f"  search p95 per run: {per_run} ms; I/O stall of the whole machine per run: {stalls} s")
    shares = {k: median_of(prod, "cpu", k) for k in prod[-1].get("cpu", {})}
    print("  CPU (cores busy on average, of 2): "
          + ", ".join(f"{k} {v:.2f}" for k, v in sorted(shares.items()) if v >= 0.01))  # fmt: skip
    memory = dict(prod[-1]["memory"])
    if ref:
        memory |= {f"{k} (reference)": v for k, v in ref[-1]["memory"].items()}
    print("  memory (RSS at the end of the last run; anonymous, i.e. not the shared index "
          "file pages, in brackets): "
          + ", ".join(f"{k} {v:.0f} MiB ({a:.0f})" for k, (v, a) in memory.items()))  # fmt: skip


def compare(first: Instance, second: Instance) -> None:
    """The production set-ups of the two databases side by side (runs taken in turns)."""
    print(f"-- {second.label} / {first.label} (production set-up, medians of the runs)")
    print(f"  {'kind':10} {first.label + ' p50':>16} {'p95':>9} {second.label + ' p50':>20} "
          f"{'p95':>9}   ratio p50   ratio p95")  # fmt: skip
    for kind in KINDS:
        a = [median_of(first.prod, "kinds", kind, q) for q in ("p50", "p95")]
        b = [median_of(second.prod, "kinds", kind, q) for q in ("p50", "p95")]
        print(f"  {kind:10} {a[0]:16.1f} {a[1]:9.1f} {b[0]:20.1f} {b[1]:9.1f}   "
              f"{b[0] / a[0]:8.2f}x   {b[1] / a[1]:8.2f}x")  # fmt: skip


def check_uploads(inst: Instance) -> None:
    words = [w for runs in inst.runs.values() for run in runs for w in run["uploaded"]]
    verified = verify_uploads(inst.data_dir, inst.url, words)
    lost = verified["acknowledged"] - verified["found"]  # type: ignore[operator]
    print(
        f"  {inst.label}: uploads acknowledged: {verified['acknowledged']}, found by search "
        f"afterwards: {verified['found']}, lost uploads: {lost}; "
        f"kb check clean: {verified['check']}"
    )
    for problem in verified["problems"]:  # type: ignore[attr-defined]
        print(f"  kb check: {problem}")


@contextlib.contextmanager
def postgres(tmp: Path) -> Iterator[str | None]:
    """A fresh database URL on a PostgreSQL server, or None (with the reason printed)."""
    server_url = os.environ.get("KB_TEST_DATABASE_URL", "").strip()
    cluster: Path | None = None
    if not server_url:
        cluster = tmp / "pg"
        tmp.chmod(0o755)  # the server runs as the postgres user and must reach its folder
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg-test-cluster.sh"), "start", str(cluster)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            print(f"PostgreSQL skipped: no server ({done.stderr.strip()[-300:]})\n")
            yield None
            return
        server_url = done.stdout.strip().splitlines()[-1]
    from sqlalchemy import create_engine, make_url, text

    from kb.db import normalise_url

    base = make_url(normalise_url(server_url))
    name = f"kb_load_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if cluster is not None:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-cluster.sh"), "stop",
                            str(cluster)], capture_output=True, check=False)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="per run")
    parser.add_argument("--runs", type=int, default=2, help="per server and database")
    parser.add_argument("--items", type=int, default=2000, help="generated items")
    parser.add_argument("--pages", type=int, default=5, help="pages per generated item")
    parser.add_argument(
        "--think",
        type=lambda s: tuple(float(x) for x in s.split(",")),
        default=(2.0, 5.0),
        help="seconds between a user's requests: MIN,MAX",
    )
    parser.add_argument("--warm", type=float, default=5, help="unmeasured seconds per server")
    parser.add_argument("--no-demo", action="store_true", help="skip kb demo (faster set-up)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--ramp",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[],
        help="after the runs: users per extra run (e.g. 75,100,150,200), until search p95 > 1 s",
    )
    parser.add_argument("--ramp-seconds", type=float, default=0, help="per ramp run (--seconds)")
    parser.add_argument(
        "--no-reference", action="store_true", help="production set-up only (no kb serve runs)"
    )
    args = parser.parse_args()
    os.environ.setdefault("KB_LOG_LEVEL", "WARNING")  # this process's own set-up chatter
    print_header(
        f"Load: {args.users} users, think {args.think[0]:g}–{args.think[1]:g} s, "
        f"{args.seconds:g} s per run, mix {MIX}",
        args.runs,
        f"{'' if args.no_demo else 'demo + '}{args.items} generated items x {args.pages} pages",
    )
    with tempfile.TemporaryDirectory(prefix="kb-load-") as raw, contextlib.ExitStack() as stack:
        tmp = Path(raw)
        configs = [("SQLite", f"sqlite:///{tmp / 'sqlite' / 'kb.sqlite3'}", tmp / "sqlite")]
        if not args.no_postgres:
            url = stack.enter_context(postgres(tmp))
            if url:
                configs.append(("PostgreSQL", url, tmp / "postgres"))
        instances = [set_up(label, url, data_dir, args) for label, url, data_dir in configs]
        try:
            measure(instances, args)
        finally:
            for inst in instances:
                for server in inst.servers:
                    server.stop()
        for inst in instances:
            report(inst)
        if len(instances) == 2:
            compare(*instances)
        for inst in instances:
            check_uploads(inst)
        stack.close()  # the PostgreSQL database and server go before the folder
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
