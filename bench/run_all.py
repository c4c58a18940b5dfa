"""Run the in-process benchmarks one after another and print all their figures.

Each benchmark runs in its own fresh Python process, so one cannot warm the other up (the
handout benchmark's "first render in a fresh process" depends on that). ``make bench``
calls this. Not included: ``bench/make_run_startup.sh``, which clones the project and
installs it from scratch several times (minutes per run); run it on its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import benchlib

BENCHMARKS = ("upload_to_searchable.py", "handout_render.py")


def main(argv: list[str] | None = None) -> int:
    args = benchlib.runs_parser(__doc__.splitlines()[0]).parse_args(argv)
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHMARKS:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(here / name), "--runs", str(args.runs)])
        print(f"({name} took {time.perf_counter() - start:.0f} s, exit {proc.returncode})\n")
        sys.stdout.flush()
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
