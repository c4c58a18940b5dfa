"""Search at 10k and 100k pages: index build, query latency, and SQLite FTS5 on the same data.

Why: "findable in seconds" (design.md) has to hold for the network's whole archive, not for
the demo. This measures kb's real index and query path on real German text:

- Corpus: pages of 1,500-3,000 characters cut from Debian's German man pages, LibreOffice
  help and fortunes (bench/search_corpus.py; cached under ~/.cache/kb-bench/), grouped into
  items of 5-20 pages. Item metadata (kind, event, date, speakers, access) is drawn with a
  fixed seed: 80% public (anon member editor), 15% internal (member editor), 5% draft
  (editor).
- Index: the index documents come from ``kb.services.indexing.documents_for_item`` applied to
  in-memory ``Item``/``FileVersion``/``Page`` objects (no database: that is the only part of
  ``kb reindex`` left out) and are written by ``kb.search.index.SearchIndex.rebuild``, in a
  child process whose peak RSS is read from ``ru_maxrss``. The index root is polled while it
  builds for the peak disk the rebuild takes (the new directory and Whoosh's temporary run
  files; the old index is not touched until the switch).
- Queries: 210 of nine kinds drawn from the corpus vocabulary with a fixed seed, each run
  through ``kb.search.query.search`` as ``run_search`` calls it (``SearchRequest(text, page=1,
  page_size=10)``, principals ``["anon"]``, the shipped synonyms): parse, permission filter,
  facets, grouping by item, best pages with snippets. Three rounds; the figure per query is its
  median, then percentiles across queries. Every query's figures go to
  ``~/.cache/kb-bench/last-queries-N.json``.
- Reference in the same run: SQLite FTS5 (unicode61 tokenizer, no stemming) on the same
  pages, the same queries in FTS5 syntax with the same permission term, the top 10 by bm25
  with ``snippet()``. kb/FTS5 is the ratio per percentile.

``.venv/bin/python bench/search.py --docs 10000`` takes about 10 minutes on a busy 2-core
machine, ``--docs 100000`` over an hour (the build most of it). ``--workdir DIR --keep`` keeps
the indexes; ``--reuse`` then skips the builds, ``--profile-only KIND,…`` profiles query kinds
instead of timing them (``--profiler pyinstrument`` for a call tree, if installed), and
``--profile-build N`` profiles ``SearchIndex.rebuild`` of N pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchlib
import search_corpus

SEED = 4711
ROUNDS = 3
PRINCIPALS = ["anon"]
#: Query kinds and how many of each.
KINDS = {
    "word_common": 25,
    "word_rare": 25,
    "and2": 30,
    "and3": 20,
    "phrase": 30,
    "prefix": 20,
    "prefix_common": 15,
    "or": 25,
    "not": 20,
}
#: The kinds the 100k p95 target is about.
CORE_KINDS = ("word_common", "word_rare", "and2", "and3", "phrase")
MIB = 1024 * 1024

TARGETS_10K = {"p95_ms": 50.0, "max_ms": 300.0}
TARGETS_100K = {
    "core_p95_ms": 250.0,
    "max_ms": 1000.0,
    "reindex_s": 15 * 60.0,
    "rss_bytes": 1024 * MIB,
    "tmp_ratio": 2.0,
}

SPEAKERS = (
    "Anna Schulze",
    "Mehmet Yilmaz",
    "Katrin Müller",
    "Jörg Weißenborn",
    "Olena Kovalenko",
    "Thomas Krüger",
    "Sabine Hoffmann",
    "Ahmad Rahimi",
)
ORGANISATIONS = (
    "Landesverwaltungsamt Sachsen-Anhalt",
    "Investitionsbank Sachsen-Anhalt",
    "Fachstelle Interkulturelle Öffnung",
    "Jobcenter Halle (Saale)",
    "Landkreis Harz, Integrationskoordination",
    "EU-Migrationsdienst",
)
PROGRAMMES = ("AMIF", "ESF Plus", "Landesprogramm Integration", "")
DISTRICTS = (
    ("15001", "Dessau-Roßlau", "kreisfreie Stadt"),
    ("15002", "Halle (Saale)", "kreisfreie Stadt"),
    ("15003", "Magdeburg", "kreisfreie Stadt"),
    ("15085", "Harz", "Landkreis"),
    ("15088", "Saalekreis", "Landkreis"),
    ("15091", "Wittenberg", "Landkreis"),
)
TOPICS = ("Arbeitsmarktintegration", "Sprachförderung", "Förderverfahren", "Wohnen", "Bildung")


# -- the index documents, the way kb makes them ----------------------------------


def _set_if_mapped(obj: object, name: str, value: object) -> None:
    if hasattr(type(obj), name):
        setattr(obj, name, value)


def corpus_items(path: Path) -> Iterator[Any]:
    """Transient ``kb.models.Item`` objects with their file and pages, one per corpus item."""
    from kb.models import KINDS as ITEM_KINDS
    from kb.models import District, Event, FileVersion, Item, Page, Topic

    events = [
        Event(id=n, slug=f"ikoe-ideenwerkstatt-{n}", title=f"{n}. IKOE-Ideenwerkstatt")
        for n in range(1, 14)
    ]
    districts = [District(ags=a, name=n, kind=k) for a, n, k in DISTRICTS]
    topics = [Topic(id=i, slug=t.lower(), name=t) for i, t in enumerate(TOPICS, 1)]
    kinds = list(ITEM_KINDS)

    def make(number: int, pages: list[dict[str, Any]]) -> Any:
        rng = random.Random(SEED * 1_000_003 + number)
        roll = rng.random()
        access, state = (
            ("public", "published")
            if roll < 0.80
            else ("internal", "published")
            if roll < 0.95
            else ("public", "draft")
        )
        kind = rng.choice(kinds)
        first = str(pages[0]["text"])
        summary = first[: first.find(". ", 80, 300) + 1 or 200]
        when = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3650))
        item = Item(
            id=number,
            title=str(pages[0]["title"])[:500],
            kind=kind,
            summary=summary,
            speakers=", ".join(rng.sample(SPEAKERS, rng.randint(1, 2))),
            organisation=rng.choice(ORGANISATIONS),
            event=rng.choice(events) if rng.random() < 0.6 else None,
            date=when,
            access=access,
            state=state,
            created_at=dt.datetime.combine(when, dt.time(9)),
        )
        _set_if_mapped(item, "programme", rng.choice(PROGRAMMES))
        _set_if_mapped(item, "districts", rng.sample(districts, rng.randint(0, 2)))
        _set_if_mapped(item, "topics", rng.sample(topics, rng.randint(0, 2)))
        unit = "slide" if kind in ("praesentation", "impulsvortrag") else "page"
        fv = FileVersion(
            id=number,
            sha256=f"{number:064x}",
            size=sum(len(str(p["text"])) for p in pages),
            mime="application/pdf",
            filename=f"dokument-{number}.{'pptx' if unit == 'slide' else 'pdf'}",
            is_current=True,
            status="done",
            page_count=len(pages),
            page_unit=unit,
            pages=[Page(number=int(p["page"]), text=str(p["text"])) for p in pages],
        )
        item.files = [fv]
        return item

    current: list[dict[str, Any]] = []
    number = None
    for doc in search_corpus.read(path):
        if doc["item"] != number and current:
            yield make(int(number), current)  # type: ignore[arg-type]
            current = []
        number = doc["item"]
        current.append(doc)
    if current:
        yield make(int(number), current)  # type: ignore[arg-type]


def index_documents(path: Path, spent: list[float] | None = None) -> Iterator[dict[str, Any]]:
    """kb's index documents for the corpus; ``spent[0]`` accumulates the seconds spent here."""
    from kb.services.documents import documents_for_item

    items = corpus_items(path)
    while True:
        start = time.perf_counter()
        item = next(items, None)
        docs = documents_for_item(item) if item is not None else []
        if spent is not None:
            spent[0] += time.perf_counter() - start
        if item is None:
            return
        yield from docs


def child_build(corpus: Path, root: Path) -> None:
    """In a fresh process: create an empty index as ``kb init`` does, then rebuild it."""
    from kb.search.index import SearchIndex

    index = SearchIndex(root)
    index.create()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    spent = [0.0]
    count = 0

    kinds: Counter[str] = Counter()

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for doc in index_documents(corpus, spent):
            count += 1
            kinds[str(doc.get("doctype", "page"))] += 1
            yield doc

    start = time.perf_counter()
    cpu = time.process_time()
    live = index.rebuild(counted(), applied_id=1)
    # The rebuild's worker processes have ended (and been waited for) by now.
    times = os.times()
    worker_cpu = times.children_user + times.children_system
    result = {
        "docs": count,
        "doctypes": dict(kinds),
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu + worker_cpu,
        "peak_rss_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "docs_seconds": spent[0],
        "rss_after_imports": rss_before,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "index_dir": str(live),
    }
    print("RESULT " + json.dumps(result), flush=True)


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (st_blocks, as du counts)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants now (from /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def build_kb_index(corpus: Path, root: Path) -> dict[str, Any]:
    """Run the rebuild in a child process, polling the index root for its peak size and the
    child with its worker processes for their peak resident memory together."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    peak = [0, 0]
    done = threading.Event()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child-build", str(corpus), str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], disk_usage(root))
            peak[1] = max(peak[1], tree_rss(proc.pid))
            done.wait(0.2)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stdout, stderr = proc.communicate()
    done.set()
    poller.join()
    if proc.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"index build failed (exit {proc.returncode})")
    line = next(x for x in stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["index_bytes"] = disk_usage(Path(result["index_dir"]))
    result["peak_disk"] = peak[0]
    result["peak_rss_all"] = peak[1]
    return result


# -- SQLite FTS5 reference ----------------------------------------------------------

FTS_COLUMNS = "title, summary, content, allow, item_id UNINDEXED, page UNINDEXED"


def fts_rows(corpus: Path) -> list[tuple[str, str, str, str, str, int]]:
    """One FTS5 row per corpus page: item title, item summary, page text, access terms."""
    from kb.services.documents import documents_for_item

    rows = []
    for item in corpus_items(corpus):
        docs = documents_for_item(item)
        summary = next((str(d["summary"]) for d in docs if d.get("summary")), "")
        allow = str(docs[0]["allow"])
        for page in item.files[0].pages:
            rows.append((item.title, summary, page.text, allow, str(item.id), page.number))
    return rows


def build_fts(rows: list[tuple[str, str, str, str, str, int]], path: Path) -> dict[str, Any]:
    if path.exists():
        path.unlink()
    start = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute(f"CREATE VIRTUAL TABLE pages USING fts5({FTS_COLUMNS})")
    with con:
        con.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?)", rows)
    with con:
        con.execute("INSERT INTO pages(pages) VALUES ('optimize')")
    con.close()
    seconds = time.perf_counter() - start
    return {"docs": len(rows), "seconds": seconds, "index_bytes": path.stat().st_size}


# -- queries ------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    kind: str
    terms: tuple[str, ...]

    def kb(self) -> str:
        t = self.terms
        if self.kind.startswith("prefix"):
            return f"{t[0]}*"
        if self.kind == "phrase":
            return '"' + " ".join(t) + '"'
        if self.kind == "or":
            return " OR ".join(t)
        if self.kind == "not":
            return f"{t[0]} NOT {t[1]}"
        return " ".join(t)

    def fts(self) -> str:
        t = self.terms
        if self.kind.startswith("prefix"):
            expr = f'"{t[0]}"*'
        elif self.kind == "phrase":
            expr = '"' + " ".join(t) + '"'
        elif self.kind == "or":
            expr = " OR ".join(f'"{w}"' for w in t)
        elif self.kind == "not":
            expr = f'"{t[0]}" NOT "{t[1]}"'
        else:
            expr = " AND ".join(f'"{w}"' for w in t)
        allow = " OR ".join(f'"{p}"' for p in PRINCIPALS)
        return f"{{title summary content}} : ({expr}) AND allow : ({allow})"


def make_queries(corpus: Path) -> tuple[list[Query], dict[str, int]]:
    """The query set: words, AND, phrases, prefixes, OR, NOT from the corpus (fixed seed)."""
    df: Counter[str] = Counter()
    docs: list[list[str]] = []
    sample_rng = random.Random(SEED)
    for doc in search_corpus.read(corpus):
        tokens = [w for w in _WORD.findall(str(doc["text"]).lower()) if w.isalpha()]
        df.update(set(tokens))
        if sample_rng.random() < 0.05 or len(docs) < 500:
            docs.append(tokens)
    rng = random.Random(SEED)
    common = [w for w, _ in df.most_common(3000) if len(w) >= 5][:200]
    rare = sorted(w for w, n in df.items() if 2 <= n <= 5 and len(w) >= 5)
    mid = sorted(w for w, n in df.items() if n >= 3 and len(w) >= 5)

    def doc_words(min_df: int = 3) -> list[str]:
        while True:
            words = sorted({w for w in rng.choice(docs) if len(w) >= 5 and df[w] >= min_df})
            if len(words) >= 3:
                return words

    queries: list[Query] = []
    add = queries.append
    for w in rng.sample(common, KINDS["word_common"]):
        add(Query("word_common", (w,)))
    for w in rng.sample(rare, KINDS["word_rare"]):
        add(Query("word_rare", (w,)))
    for kind, n in (("and2", 2), ("and3", 3)):
        for _ in range(KINDS[kind]):
            add(Query(kind, tuple(rng.sample(doc_words(), n))))
    while sum(q.kind == "phrase" for q in queries) < KINDS["phrase"]:
        tokens = rng.choice(docs)
        n = rng.choice((2, 3))
        if len(tokens) <= n:
            continue
        start = rng.randrange(len(tokens) - n)
        words = tuple(tokens[start : start + n])
        if max(len(w) for w in words) >= 4:
            add(Query("phrase", words))
    while sum(q.kind == "prefix" for q in queries) < KINDS["prefix"]:
        w = rng.choice(rng.choice(docs))
        if len(w) >= 7:
            add(Query("prefix", (w[: rng.randint(4, 6)],)))
    # Very common prefixes: the ones most postings start with (every term they expand to).
    weight: dict[int, Counter[str]] = {n: Counter() for n in (4, 5, 6)}
    for w, n in df.items():
        for length in weight:
            if len(w) > length:
                weight[length][w[:length]] += n
    for length, take in ((4, 8), (5, 4), (6, 3)):
        for prefix, _ in weight[length].most_common(take):
            add(Query("prefix_common", (prefix,)))
    for _ in range(KINDS["or"]):
        add(Query("or", (rng.choice(common), rng.choice(mid))))
    for _ in range(KINDS["not"]):
        words = doc_words()
        add(Query("not", (rng.choice(common), rng.choice(words))))
    stats = {"vocabulary": len(df), "common": len(common), "rare": len(rare)}
    return queries, stats


def median_times(
    queries: list[Query], run: Callable[[Query], int], rounds: int
) -> tuple[list[float], list[int]]:
    """Run every query ``rounds`` times round-robin; per query the median seconds and hits."""
    times: list[list[float]] = [[] for _ in queries]
    hits = [0] * len(queries)
    for _ in range(rounds):
        for i, q in enumerate(queries):
            start = time.perf_counter()
            hits[i] = run(q)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times], hits


def kb_runner(index: Any) -> Callable[[Query], int]:
    """``kb.search.query.search`` as the product calls it (synonyms included), first page of 10.

    The service layer's re-check of the shown hits against the database is left out.
    """
    import inspect

    from kb.search import query as kb_query

    params = list(inspect.signature(kb_query.search).parameters)
    if params[1] == "request":  # search(index, SearchRequest, principals, synonyms)
        from kb.search.synonyms import load_synonyms

        synonyms = load_synonyms()

        def call(text: str) -> Any:
            request = kb_query.SearchRequest(text=text, page=1, page_size=10)
            return kb_query.search(index, request, PRINCIPALS, synonyms)

    else:  # the first form: search(index, text, principals, page, page_size)

        def call(text: str) -> Any:
            return kb_query.search(index, text, principals=PRINCIPALS, page=1, page_size=10)

    def run(q: Query) -> int:
        return int(call(q.kb()).total)

    return run


def code_version() -> str:
    """The commit and the uncommitted files of the search code this run measures."""
    here = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True)
        return proc.stdout.rstrip()

    dirty = git("status", "--porcelain", "--", "kb/search", "kb/services/indexing.py")
    changed = [line[3:] for line in dirty.splitlines()]
    suffix = f" + uncommitted: {', '.join(changed)}" if changed else ""
    return f"{git('rev-parse', '--short', 'HEAD').strip()}{suffix}"


def fts_runner(con: sqlite3.Connection) -> Callable[[Query], int]:
    sql = (
        "SELECT item_id, page, title, snippet(pages, 2, '<mark>', '</mark>', ' … ', 24) "
        "FROM pages WHERE pages MATCH ? ORDER BY rank LIMIT 10"
    )

    def run(q: Query) -> int:
        return len(con.execute(sql, (q.fts(),)).fetchall())

    return run


class _CutOffs(logging.Handler):
    """Counts kb's "search cut off" warnings (the time box was hit)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "cut off" in record.getMessage():
            self.texts.append(record.getMessage())


# -- figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }


def mib(n: float) -> str:
    return f"{n / MIB:,.1f} MiB"


def print_latency_table(
    queries: list[Query],
    kb_t: list[float],
    fts_t: list[float] | None,
    kb_hits: list[int],
    fts_hits: list[int] | None,
) -> dict[str, dict[str, float]]:
    groups: dict[str, list[int]] = {}
    for i, q in enumerate(queries):
        groups.setdefault(q.kind, []).append(i)
    groups["core (words, AND, phrase)"] = [i for i, q in enumerate(queries) if q.kind in CORE_KINDS]
    groups["all"] = list(range(len(queries)))
    head = f"  {'kind':<26}{'n':>4}  {'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}   (ms)"
    if fts_t is not None:
        head += f"   kb/FTS5: {'p50':>6}{'p95':>6}{'p99':>6}{'max':>6}  no hit kb/FTS5"
    print(head)
    out = {}
    for name, idx in groups.items():
        s = summary([kb_t[i] for i in idx])
        out[name] = s
        line = f"  {name:<26}{len(idx):>4}  " + "".join(
            f"{s[k] * 1000:8.1f}" for k in ("p50", "p95", "p99", "max")
        )
        if fts_t is not None and fts_hits is not None:
            r = summary([fts_t[i] for i in idx])
            line += "            " + "".join(
                f"{s[k] / r[k]:6.0f}" for k in ("p50", "p95", "p99", "max")
            )
            zero_kb = sum(kb_hits[i] == 0 for i in idx)
            zero_fts = sum(fts_hits[i] == 0 for i in idx)
            line += f"  {zero_kb:>4}/{zero_fts}"
        print(line)
    if fts_t is not None:
        print()
        print("  FTS5 (ms)" + " " * 21 + "".join(f"{k:>8}" for k in ("p50", "p95", "p99", "max")))
        for name, idx in groups.items():
            r = summary([fts_t[i] for i in idx])
            print(
                f"  {name:<26}{len(idx):>4}  "
                + "".join(f"{r[k] * 1000:8.2f}" for k in ("p50", "p95", "p99", "max"))
            )
    print()
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_targets(docs: int, lat: dict[str, dict[str, float]], build: dict[str, Any]) -> None:
    print("targets")
    if docs < 31_623:  # nearer to 10k than to 100k (geometric middle)
        t = TARGETS_10K
        p95 = lat["all"]["p95"] * 1000
        worst = lat["all"]["max"] * 1000
        print(f"  {verdict(p95 <= t['p95_ms'])}  p95 of all queries {p95:.1f} ms <= 50 ms")
        print(f"  {verdict(worst <= t['max_ms'])}  slowest query {worst:.1f} ms <= 300 ms")
        return
    t = TARGETS_100K
    core = lat["core (words, AND, phrase)"]["p95"] * 1000
    worst = lat["all"]["max"] * 1000
    print(f"  {verdict(core <= t['core_p95_ms'])}  p95 of words/AND/phrase {core:.1f} ms <= 250 ms")
    for kind in CORE_KINDS:
        p = lat[kind]["p95"] * 1000
        print(f"        ({kind}: p95 {p:.1f} ms, {verdict(p <= t['core_p95_ms'])} on its own)")
    print(f"  {verdict(worst <= t['max_ms'])}  slowest query {worst:.1f} ms <= 1000 ms")
    if not build:
        print("  (build figures not measured in this run)")
        return
    secs = build["seconds"]
    print(f"  {verdict(secs <= t['reindex_s'])}  full reindex {secs / 60:.1f} min <= 15 min")
    rss = max(build["peak_rss"], build.get("peak_rss_all", 0))
    print(
        f"  {verdict(rss <= t['rss_bytes'])}  peak RSS of the rebuild {mib(rss)} <= 1 GiB"
        " (all its processes together)"
    )
    ratio = build["peak_disk"] / build["index_bytes"]
    print(
        f"  {verdict(ratio <= t['tmp_ratio'])}  temporary disk {mib(build['peak_disk'])} = "
        f"{ratio:.2f} x index size <= 2 x"
    )


# -- profiling ----------------------------------------------------------------------


def _owner(filename: str) -> str:
    if "/whoosh/" in filename:
        return "whoosh/" + filename.split("/whoosh/")[1]
    if "/kb/" in filename:
        return "kb/" + filename.split("/kb/")[-1]
    if "/bench/" in filename:
        return "bench/" + filename.split("/bench/")[-1]
    return ""


def print_profile(prof: Any, top: int = 25) -> None:
    """Self time by file, builtins and stdlib counted to the kb/Whoosh file that called them."""
    import pstats

    stats = pstats.Stats(prof)
    raw = stats.stats  # type: ignore[attr-defined]
    by_owner: Counter[str] = Counter()
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        total += tottime
        owner = _owner(filename)
        if owner:
            by_owner[owner] += tottime
            continue
        # A builtin or stdlib function: its time goes to the callers, by their share.
        for (caller_file, _l, _n), (_c, _n2, tt, _ct2) in callers.items():
            caller = _owner(caller_file)
            by_owner[f"{caller} (builtins/stdlib it calls)" if caller else "stdlib"] += tt
    print(f"  self time by file ({total:.2f} s in all, profiler overhead included):")
    for owner, secs in by_owner.most_common(16):
        print(f"    {secs:7.2f} s {secs / total:6.1%}  {owner}")
    print()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def profile_kinds(index: Any, queries: list[Query], kinds: list[str], tool: str) -> None:
    """Profile the queries of ``kinds`` once each; print where the time goes."""
    chosen = [q for q in queries if q.kind in kinds]
    run = kb_runner(index)
    print(f"profile of {len(chosen)} queries ({', '.join(kinds)}) with {tool}")
    if tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        for q in chosen:
            run(q)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    for q in chosen:
        run(q)
    prof.disable()
    print_profile(prof)


def profile_build(corpus: Path, docs: int, tool: str) -> None:
    """Profile ``SearchIndex.rebuild`` of the first ``docs`` pages in this process."""
    import itertools

    from kb.search.index import SearchIndex

    with tempfile.TemporaryDirectory(prefix="kb-bench-profile-") as tmp:
        index = SearchIndex(Path(tmp))
        index.create()
        pages = list(itertools.islice(index_documents(corpus), docs))
        index.rebuild(pages[:2], applied_id=1)  # imports and lexicon loads outside the profile
        print(f"profile of rebuilding an index of {len(pages)} pages with {tool}")
        if tool == "pyinstrument":
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
            index.rebuild(pages, applied_id=1)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
        index.rebuild(pages, applied_id=1)
        prof.disable()
        print_profile(prof)


# -- main ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="pages in the corpus")
    parser.add_argument("--runs", type=int, default=ROUNDS, help="rounds over all queries")
    parser.add_argument("--workdir", type=Path, help="where the indexes go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the workdir")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse (and keep) the indexes in --workdir"
    )
    parser.add_argument("--no-fts", action="store_true", help="skip the FTS5 reference")
    parser.add_argument("--profile", help="comma-separated query kinds to profile afterwards")
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument(
        "--profile-only", metavar="KINDS", help="skip the timed rounds; profile these kinds"
    )
    parser.add_argument(
        "--profile-build", type=int, metavar="N", help="only profile building an index of N pages"
    )
    parser.add_argument(
        "--child-build", nargs=2, metavar=("CORPUS", "ROOT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child_build:
        child_build(Path(args.child_build[0]), Path(args.child_build[1]))
        return 0

    # Import the search code now: the child build starts at once, so both use the same code
    # even while it is being edited.
    import kb.search.query  # noqa: F401
    import kb.services.indexing  # noqa: F401

    corpus = search_corpus.corpus(args.docs)
    if args.profile_build:
        print(f"code: {code_version()}")
        profile_build(corpus, args.profile_build, args.profiler)
        return 0
    benchlib.print_header(
        "Search: kb (Whoosh) against SQLite FTS5", args.runs, search_corpus.describe(corpus)
    )
    print(f"code:    {code_version()}")
    sys.stdout.flush()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kb-bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    root = workdir / "index"
    fts_path = workdir / "fts5.sqlite3"
    build_file = workdir / "build.json"
    try:
        # 1. kb's index, built as `kb reindex` builds it, in a child process.
        if args.reuse and build_file.exists():
            build = json.loads(build_file.read_text())
            print(f"index reused from {root} (build figures from its build)")
        else:
            print("building kb's index (child process) …", flush=True)
            build = build_kb_index(corpus, root)
            build_file.write_text(json.dumps(build))
        # Rates are corpus pages per second (kb writes an item document per item as well).
        kb_rate = args.docs / build["seconds"]
        whoosh_s = build["seconds"] - build["docs_seconds"]
        doctypes = ", ".join(f"{n:,} {k}" for k, n in build.get("doctypes", {}).items())
        rows = [
            ("pages", f"{args.docs:,} (index documents: {build['docs']:,}: {doctypes})"),
            ("rebuild time", f"{build['seconds']:.1f} s ({kb_rate:,.0f} pages/s)"),
            ("  of which documents", f"{build['docs_seconds']:.1f} s (JSON, models, doc dicts)"),
            ("  of which Whoosh", f"{whoosh_s:.1f} s ({args.docs / whoosh_s:,.0f} pages/s)"),
            (
                "CPU time",
                f"{build['cpu_seconds']:.1f} s ({args.docs / build['cpu_seconds']:,.0f} pages "
                "per CPU-second)",
            ),
            ("index size", mib(build["index_bytes"])),
            ("peak RSS", f"{mib(build['peak_rss'])} ({mib(build['rss_after_imports'])} at start)"),
            (
                "  with its workers",
                f"{mib(build.get('peak_rss_all', 0))} all processes together (polled), "
                f"largest worker {mib(build.get('peak_rss_worker', 0))}",
            ),
            (
                "peak disk of rebuild",
                f"{mib(build['peak_disk'])} = {build['peak_disk'] / build['index_bytes']:.2f} x "
                "index (new dir + temp files; an old index of the same size adds 1 x)",
            ),
        ]
        fts_build = None
        rows_fts: list[tuple[str, str, str, str, str, int]] = []
        if not args.no_fts:
            if args.reuse and fts_path.exists():
                fts_build = json.loads((workdir / "fts5.json").read_text())
            else:
                print("building the FTS5 reference …", flush=True)
                rows_fts = fts_rows(corpus)
                fts_build = build_fts(rows_fts, fts_path)
                (workdir / "fts5.json").write_text(json.dumps(fts_build))
                del rows_fts
            rate = fts_build["docs"] / fts_build["seconds"]
            rows += [
                ("FTS5 build", f"{fts_build['seconds']:.1f} s ({rate:,.0f} pages/s)"),
                ("FTS5 size", mib(fts_build["index_bytes"])),
                ("kb/FTS5 build time", f"{build['seconds'] / fts_build['seconds']:.1f} x"),
                ("kb/FTS5 size", f"{build['index_bytes'] / fts_build['index_bytes']:.2f} x"),
            ]
        print()
        print("index build")
        benchlib.print_rows(rows)
        sys.stdout.flush()

        # 2. Queries.
        queries, vocab = make_queries(corpus)
        kinds = Counter(q.kind for q in queries)
        print(
            f"queries: {len(queries)} ({', '.join(f'{k} {n}' for k, n in kinds.items())}); "
            f"vocabulary {vocab['vocabulary']:,} words, seed {SEED}"
        )
        for kind in KINDS:
            examples = [q.kb() for q in queries if q.kind == kind][:3]
            print(f"  e.g. {kind:<14} {' | '.join(examples)}")
        print()
        from kb.search.index import SearchIndex

        index = SearchIndex(root)
        run_kb = kb_runner(index)
        run_kb(queries[0])  # opens the searcher; a server keeps it open
        if args.profile_only:
            kinds_wanted = args.profile_only.split(",")
            for q in queries:  # warm: the first run of a query reads its postings from disk
                if q.kind in kinds_wanted:
                    run_kb(q)
            profile_kinds(index, queries, kinds_wanted, args.profiler)
            index.close()
            return 0
        cutoffs = _CutOffs()
        logging.getLogger("kb.search").addHandler(cutoffs)
        print(f"running {len(queries)} queries x {args.runs} rounds through kb …", flush=True)
        start = time.perf_counter()
        kb_t, kb_hits = median_times(queries, run_kb, args.runs)
        kb_wall = time.perf_counter() - start
        fts_t = fts_hits = None
        if not args.no_fts:
            con = sqlite3.connect(fts_path)
            run_fts = fts_runner(con)
            run_fts(queries[0])
            fts_t, fts_hits = median_times(queries, run_fts, args.runs)
            con.close()
        print(f"(kb query rounds took {kb_wall:.0f} s; time-boxed searches: {len(cutoffs.texts)})")
        print()
        print("query latency, median of the rounds per query, percentiles across queries")
        lat = print_latency_table(queries, kb_t, fts_t, kb_hits, fts_hits)
        per_query = search_corpus.cache_dir() / f"last-queries-{args.docs}.json"
        per_query.write_text(
            json.dumps(
                [
                    {
                        "kind": q.kind,
                        "kb_query": q.kb(),
                        "fts_query": q.fts(),
                        "kb_ms": kb_t[i] * 1000,
                        "kb_items": kb_hits[i],
                        "fts_ms": fts_t[i] * 1000 if fts_t else None,
                        "fts_rows": fts_hits[i] if fts_hits else None,
                    }
                    for i, q in enumerate(queries)
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        over = {limit: sum(t > limit / 1000 for t in kb_t) for limit in (50, 250, 300, 1000)}
        print(
            "kb queries over 50 / 250 / 300 / 1000 ms: "
            + " / ".join(str(n) for n in over.values())
            + f" of {len(queries)} (every query: {per_query})"
        )
        print()
        slowest = sorted(range(len(queries)), key=lambda i: -kb_t[i])[:8]
        print("slowest kb queries")
        for i in slowest:
            fts = f"{fts_t[i] * 1000:7.2f} ms FTS5" if fts_t else ""
            print(
                f"  {kb_t[i] * 1000:8.1f} ms  {fts}  {queries[i].kind:<14} {queries[i].kb()!r}"
                f"  ({kb_hits[i]} items)"
            )
        print()
        print_targets(args.docs, lat, build)
        if args.profile:
            print()
            profile_kinds(index, queries, args.profile.split(","), args.profiler)
        index.close()
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not (args.keep or args.reuse):
            shutil.rmtree(root, ignore_errors=True)
            fts_path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
