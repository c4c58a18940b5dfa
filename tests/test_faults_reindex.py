"""A full ``kb reindex`` killed with SIGKILL half-way: the live index is untouched.

A rebuild writes a new index directory beside the live one and switches ``CURRENT``
only when it is complete. Killed before the switch, it leaves the old index serving
searches and its own half-written directory behind; the next rebuild (or the
indexer's start) removes that directory, and ``kb check`` is clean afterwards.
"""

from __future__ import annotations

import os
import signal
import time

from fault_support import bulk_items, run_kb, spawn_kb, wait_for

from kb.services.access import ANONYMOUS
from kb.services.indexing import ensure_index, reindex
from kb.services.search import run_search

#: Enough text that a rebuild takes seconds on this machine (about 6 M characters).
ITEMS, PAGES = 600, 6


def _kill_reindex_midway(app, kb, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Start ``kb reindex``, SIGKILL it (and its build processes) once its new directory
    exists, and return the live directory's name from before."""
    live = kb.index.current_dir().name
    process = spawn_kb(app, "reindex", log=tmp_path / "reindex.log")
    try:
        wait_for(lambda: kb.index.stale_dirs(), 60, "kb reindex creates its new directory")
        time.sleep(1.0)  # well into the build: segments are being written
        assert process.poll() is None, "the rebuild finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return live


def test_reindex_killed_midway_keeps_the_old_index_and_the_next_run_cleans_up(app, kb, tmp_path):
    bulk_items(kb, 3, 2, prefix="Altbestand")
    reindex(kb)  # the live index: the three old items
    bulk_items(kb, ITEMS, PAGES, prefix="Neubestand")
    live = _kill_reindex_midway(app, kb, tmp_path)

    assert kb.index.current_dir().name == live, "a half-built index was switched in"
    leftovers = kb.index.stale_dirs()
    assert leftovers, "the killed rebuild left no directory (was it killed at all?)"
    assert kb.index.health() == "ok"
    assert run_search(kb, "Altbestand", ANONYMOUS).total == 3  # the old index still answers
    check = run_kb(app, "check")
    assert "abgebrochenen Neuaufbau" in check.stdout  # named as a warning, not hidden

    done = run_kb(app, "reindex", timeout=300)
    assert done.returncode == 0, done.stderr
    assert not any(path.exists() for path in leftovers)
    assert kb.index.stale_dirs() == []
    check = run_kb(app, "check")
    assert check.returncode == 0 and "Alles in Ordnung." in check.stdout, check.stdout
    assert run_search(kb, "Neubestand", ANONYMOUS).total == ITEMS
    assert run_search(kb, "Altbestand", ANONYMOUS).total == 3


def test_the_indexer_start_removes_directories_of_a_killed_rebuild(kb):
    reindex(kb)
    live = kb.index.current_dir()
    orphan = kb.index.root / "ix-20200101000000-deadbeef"
    orphan.mkdir()
    (orphan / "_MAIN_1.toc").write_bytes(b"half")
    assert kb.index.stale_dirs() == [orphan]
    assert ensure_index(kb) == "ok"
    assert not orphan.exists() and kb.index.current_dir() == live


def test_a_running_rebuilds_directory_is_left_alone(kb):
    """While another process holds the writer lock, the extra directory may be its work."""
    reindex(kb)
    busy = kb.index.root / "ix-20990101000000-cafecafe"
    busy.mkdir()
    with kb.index.writer_lock() as got:
        assert got
        ensure_index(kb)  # cannot take the lock (flock is per open file, so it is held)
        assert busy.exists()
    ensure_index(kb)
    assert not busy.exists()
