"""A segment file of the live index is truncated under running processes.

Readers (gunicorn's web workers, which had the index open) answer searches with 503 and
the German message instead of crashing; the indexer notices the damage
(``SearchIndex.health()`` says "corrupt") and rebuilds from the database — ``kb init``
when it runs, and a running ``kb worker`` by itself. Afterwards searches answer again
and ``kb check`` is clean.
"""

from __future__ import annotations

import os
import signal
import urllib.parse
from pathlib import Path

from fault_support import Gunicorn, bulk_items, get, run_kb, spawn_kb, wait_for

from kb.services.indexing import reindex

ITEMS = 8  # one results page
UNAVAILABLE = "Die Suche ist gerade nicht verfügbar"


def _truncate_a_segment(index_dir: Path) -> Path:
    """Cut the largest segment file of the live index in half (as a failing disk might)."""
    segment = max(index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    os.truncate(segment, segment.stat().st_size // 2)
    return segment


def _search(server: Gunicorn, words: str) -> tuple[int, str]:
    status, body = get(f"{server.base_url}/search?" + urllib.parse.urlencode({"q": words}))
    return status, body.decode(errors="replace")


def _found_all(server: Gunicorn) -> bool:
    status, page = _search(server, "Bericht")
    return status == 200 and all(f'href="/items/{n}"' in page for n in range(1, ITEMS + 1))


def _prepared(app, kb, tmp_path) -> Gunicorn:  # type: ignore[no-untyped-def]
    bulk_items(kb, ITEMS, 2)
    reindex(kb)
    kb.close()  # from here on only the real processes touch the instance
    return Gunicorn(app, tmp_path / "gunicorn.log", workers=2)


def test_a_truncated_segment_gives_503_until_kb_init_rebuilds(app, kb, tmp_path):
    with _prepared(app, kb, tmp_path) as web:
        for _ in range(4):  # both web workers have the index open
            assert _found_all(web), web.log_tail()
        damaged_dir = kb.index.current_dir()
        _truncate_a_segment(damaged_dir)
        for _ in range(4):
            status, page = _search(web, "Bericht")
            assert status == 503 and UNAVAILABLE in page, (status, web.log_tail())
        assert web.process is not None and web.process.poll() is None
        status, body = get(f"{web.base_url}/healthz")
        assert status == 503 and b'"corrupt"' in body
        check = run_kb(app, "check")
        assert check.returncode == 1, check.stdout

        init = run_kb(app, "init")  # the indexer's start: detects and rebuilds
        assert init.returncode == 0, init.stderr
        assert kb.index.current_dir() != damaged_dir and not damaged_dir.exists()
        wait_for(lambda: _found_all(web), 30, "the web workers search the rebuilt index")
        assert get(f"{web.base_url}/healthz")[0] == 200
    check = run_kb(app, "check")
    assert check.returncode == 0 and "Alles in Ordnung." in check.stdout, check.stdout


def test_a_running_worker_repairs_a_truncated_segment_by_itself(app, kb, tmp_path):
    with _prepared(app, kb, tmp_path) as web:
        assert _found_all(web)
        worker = spawn_kb(app, "worker", log=tmp_path / "worker.log")
        try:
            # Idle after its first round (which may optimise: damage that a writer reads
            # through its memory map is another fault, SIGBUS, not the one tested here).
            wait_for(lambda: "validity refresh" in _log(tmp_path), 60, "the worker is idle")
            damaged_dir = kb.index.current_dir()
            _truncate_a_segment(damaged_dir)
            wait_for(lambda: kb.index.current_dir() != damaged_dir, 60, "the worker rebuilds")
            wait_for(lambda: _found_all(web), 30, "searches answer from the rebuilt index")
            assert "rebuilding it from the database" in _log(tmp_path)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
    check = run_kb(app, "check")
    assert check.returncode == 0 and "Alles in Ordnung." in check.stdout, check.stdout


def _log(tmp_path: Path) -> str:
    path = tmp_path / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""
