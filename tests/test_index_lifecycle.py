"""The index's life: damage is detected and repaired from the DB, optimise, schema changes."""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc
from pathlib import Path

import pytest
from whoosh.query import Every

from kb.search.index import SearchIndex
from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.indexing import (
    OPTIMIZE_AT_LATEST_DAYS,
    OPTIMIZE_STAMP,
    append_index_log,
    ensure_index,
    optimize_if_due,
)
from kb.services.search import run_search


def _damage(index: SearchIndex) -> None:
    for path in index.current_dir().iterdir():
        path.write_bytes(b"\x00garbage" * 10)


# Whoosh leaves a file handle open when it fails to read a damaged table of contents; the
# warning about it is expected here (and only here), so it is collected within this test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_damaged_index_gives_a_503_page_then_init_rebuilds(app, client, kb, make_item, runner):
    make_item("Notfallplan für den Index", title="Plan")
    _damage(kb.index)
    fresh = SearchIndex(kb.index.root)  # another process opening the damaged index
    assert fresh.health() == "corrupt"
    kb.index.close()
    response = client.get("/search?q=Notfallplan")
    assert response.status_code == 503
    assert "Suche ist gerade nicht verfügbar" in response.get_data(as_text=True)
    assert runner.invoke(args=["init"]).exit_code == 0
    assert kb.index.health() == "ok"
    assert run_search(kb, "Notfallplan", ANONYMOUS).total == 1
    del fresh
    gc.collect()


def test_ensure_index_rebuilds_missing_and_outdated(kb, make_item):
    make_item("Wiederaufbau aus der Datenbank", title="W")
    (kb.index.root / "CURRENT").unlink()
    assert ensure_index(kb) == "missing"
    assert run_search(kb, "Wiederaufbau", ANONYMOUS).total == 1
    kb.index.replace_objects({}, kb.index.applied_id())
    with kb.index.writer_lock():
        from whoosh import index as whoosh_index

        ix = whoosh_index.open_dir(str(kb.index.current_dir()))
        with ix.writer() as writer:
            writer.update_document(
                doc_id="__meta__", applied=kb.index.applied_id(), schema_version=1
            )
    assert kb.index.health() == "outdated"
    assert ensure_index(kb) == "outdated"
    assert kb.index.health() == "ok"
    assert ensure_index(kb) == "ok"


def test_nightly_optimise_runs_once_per_night(kb, make_item, runner):
    for n in range(3):
        make_item(f"Segment {n} Optimierung", title=f"S{n}")
    night = dt.datetime(2026, 11, 26, 2, 30)
    assert not optimize_if_due(kb, night.replace(hour=1))
    assert optimize_if_due(kb, night)
    assert not optimize_if_due(kb, night.replace(hour=4))
    assert optimize_if_due(kb, night + dt.timedelta(days=1))
    with kb.index.searching() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1
    assert run_search(kb, "Optimierung", ANONYMOUS).total == 3
    assert runner.invoke(args=["optimize"]).exit_code == 0


def test_no_optimise_by_day_just_because_the_worker_started(kb, make_item):
    make_item("Frischer Index", title="F")
    today = dt.datetime.now().replace(hour=14)
    assert not optimize_if_due(kb, today)  # written today: as good as optimised
    assert not (kb.index.root / OPTIMIZE_STAMP).exists()
    assert not optimize_if_due(kb, today + dt.timedelta(days=OPTIMIZE_AT_LATEST_DAYS - 1))


def test_a_worker_that_never_runs_at_night_optimises_after_a_week(kb, make_item):
    for n in range(2):
        make_item(f"Segment {n} Woche", title=f"W{n}")
    (kb.index.root / OPTIMIZE_STAMP).write_text("2026-11-01")
    noon = dt.datetime(2026, 11, 7, 12, 0)
    assert not optimize_if_due(kb, noon)
    assert optimize_if_due(kb, noon + dt.timedelta(days=1))
    assert (kb.index.root / OPTIMIZE_STAMP).read_text() == "2026-11-08"
    with kb.index.searching() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1


def _docs(n: int) -> list[dict[str, object]]:
    return [
        {
            "doc_id": f"i{n}",
            "doctype": "item",
            "item_id": str(n),
            "page": 0,
            "title": f"Nachweis {n}",
            "alltext": "Der Verwendungsnachweis ist einzureichen. " * 3,
            "allow": "anon member editor" if n % 2 else "member editor",
        }
        for n in range(1, n + 1)
    ]


def test_spilled_posting_runs_are_compressed_and_read_back(tmp_path, monkeypatch):
    from kb.search import build
    from kb.search.query import SearchRequest, search

    monkeypatch.setattr(build, "LIMIT_MB", 0.0005)  # spill a run every few hundred postings
    runs: list[str] = []
    real_new_run = build.CompressedPool._new_run

    def new_run(self):  # type: ignore[no-untyped-def]
        path, f = real_new_run(self)
        runs.append(path)
        return path, f

    monkeypatch.setattr(build.CompressedPool, "_new_run", new_run)
    index = SearchIndex(tmp_path / "index")
    index.create()
    index.rebuild(iter(_docs(20)), applied_id=7)
    assert len(runs) > 3
    result = search(index, SearchRequest("Verwendungsnachweis", page_size=20), ["member"])
    assert result.total == 20
    index.close()


def test_a_large_rebuild_is_written_in_segments_by_workers(tmp_path, monkeypatch):
    from kb.search import build
    from kb.search.filtering import ITEM_CLAUSE, filtered_search, permission_clause
    from kb.search.query import SearchRequest, search

    monkeypatch.setattr(build, "SEGMENT_CHARS", 200)  # a segment per few documents
    index = SearchIndex(tmp_path / "index")
    index.create()
    docs = _docs(20)
    index.rebuild(iter(docs), applied_id=42)
    assert index.applied_id() == 42
    assert index.health() == "ok"
    with index.searching() as searcher:
        assert len(searcher.reader().segments()) > 2
        query = Every()
        clauses = [permission_clause(["anon"]), ITEM_CLAUSE]
        found = filtered_search(searcher, index.segments, query, clauses, limit=None)
        assert sorted(int(hit["item_id"]) for hit in found) == list(range(1, 21, 2))
    result = search(index, SearchRequest("Verwendungsnachweis", page_size=20), ["member"])
    assert result.total == 20
    index.close()


def test_index_writes_leave_no_reader_for_the_garbage_collector(kb, make_item):
    """Whoosh's writer caches a searcher in a reference cycle; its reader's memory map of
    every segment then stayed until a full garbage collection — in ``kb serve`` one more
    map of a 140 MB segment per upload. The writer gets a searcher of ours instead."""
    item_id = make_item("Speicherabbild des Index", title="Abbild")

    def segment_maps() -> list[str]:
        lines = Path("/proc/self/maps").read_text().splitlines()
        return [line.split()[-1] for line in lines if ".seg" in line]

    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            with kb.db.writing() as session:
                append_index_log(session, item_id)
            jobs.run_until_idle(kb)
        run_search(kb, "Speicherabbild", ANONYMOUS)  # the live searcher maps each segment once
        maps = segment_maps()
    finally:
        gc.enable()
    live = sorted(str(p) for p in kb.index.current_dir().glob("*.seg"))
    assert sorted(maps) == live


def test_a_searcher_reads_compound_segments_from_their_map_without_a_copy(kb, make_item):
    """Whoosh wrapped each part of a memory-mapped compound segment in ``BytesIO``, which
    copies it: every searcher (re)open after a commit read the whole index into the heap
    (200 MiB per web worker at 100k pages). kb's reader takes the bytes from the map."""
    words = [f"Wort{n}" for n in range(4000)]  # many distinct terms: a sizeable segment
    for n in range(4):
        make_item(" ".join(words[n::4]) + " Kopiertest", title=f"K{n}")
    kb.index.optimize()
    (segment,) = kb.index.current_dir().glob("*.seg")
    size = segment.stat().st_size
    assert run_search(kb, "Kopiertest", ANONYMOUS).total == 4
    kb.index.close()  # the next search reopens, as after a commit
    tracemalloc.start()
    try:
        assert run_search(kb, "Kopiertest", ANONYMOUS).total == 4
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 2, (peak, size)
