"""Measured relevance: a fixed test collection, judged queries, recall@10 and MRR.

The collection is a fresh instance under a temporary folder holding the demo content
(loaded for a fixed date, so the texts with dates never change) and the documents of the
shared real-document corpus (``KB_CORPUS_DIR``) in German, several languages or English,
since a real collection is mixed. Files whose text cannot be read (encrypted, image-only,
spreadsheets) stay in as title-only items, as they would in production; no query is judged
on them. It is built once per process and cached; the folder is removed at exit.

Queries and their relevant documents are in ``judgements.tsv`` next to this file, one query
a line: the query as a coordinator would type it, the relevant documents' file names
separated by ``|``, and the kind of query (word, morphology, compound …). Documents are
named by file name because item ids change from build to build; a relevant document is one
that is genuinely about, or clearly contains, what the query asks for, whether or not the
engine finds it today. Search also returns events and Q&A entries, which have no files: they
are named by ``@`` and their title (the event's title, the entry's question), e.g.
``@Wie verbindlich ist der Kostenplan?``.

Only the public search service is used (``kb.services.search.run_search`` as an anonymous
visitor), so the figures measure what a user sees.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from kb.services.context import Kb
    from kb.services.search import HitView

ROOT = Path(__file__).resolve().parents[2]
JUDGEMENTS = Path(__file__).resolve().parent / "judgements.tsv"
CORPUS_DIR = Path(
    os.environ.get("KB_CORPUS_DIR", ROOT / ".." / "shared" / "corpus" / "real")
).resolve()
#: The demo's clock: its texts say "ab 01.01.<next year>" and name the file after that year.
DEMO_TODAY = dt.date(2026, 6, 1)
#: Manifest languages that go into the collection ("und" is garbled or no language at all).
LANGUAGES = ("de", "mul", "en")
#: Recall and MRR are measured on the first result page, as a user sees it.
CUTOFF = 10
#: How deep to look for the rank of a relevant item beyond the cut-off (diagnostics only).
DEPTH = 50
#: Events and Q&A entries have no files; they are named by this mark and their title.
OBJECT_MARK = "@"
KINDS = (
    "word",
    "morphology",
    "compound",
    "umlaut",
    "phrase",
    "boolean",
    "acronym",
    "prefix",
    "realistic",
)


def corpus_available(corpus_dir: Path = CORPUS_DIR) -> bool:
    return (corpus_dir / "MANIFEST.tsv").is_file()


@dataclass(frozen=True)
class Judgement:
    """One judged query: what was typed, which documents answer it, what it tests."""

    query: str
    relevant: tuple[str, ...]
    kind: str
    line: int


def load_judgements(path: Path = JUDGEMENTS) -> list[Judgement]:
    """Read ``judgements.tsv`` (header line, then query / relevant / kind; # lines ignored)."""
    judgements = []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for line, row in enumerate(rows, start=1):
            if line == 1 or not row or row[0].startswith("#"):
                continue
            if len(row) != 3:
                raise ValueError(f"{path.name}:{line}: expected 3 tab-separated columns: {row}")
            query, relevant, kind = (cell.strip() for cell in row)
            names = tuple(n.strip() for n in relevant.split("|") if n.strip())
            if kind not in KINDS:
                raise ValueError(f"{path.name}:{line}: unknown kind {kind!r}")
            if not query or not names:
                raise ValueError(f"{path.name}:{line}: query and relevant documents required")
            judgements.append(Judgement(query, names, kind, line))
    return judgements


@dataclass
class Collection:
    """The built test collection: the app, and which item holds which file."""

    app: Flask
    root: Path
    #: file name -> item id, for every uploaded or demo file; "@" + title -> id for every
    #: event and Q&A entry (objects without files, see :func:`hit_names`)
    items: dict[str, int]
    #: corpus files whose text could not be read (searchable by title only, as in production)
    without_text: list[str] = field(default_factory=list)

    @property
    def kb(self) -> Kb:
        return self.app.extensions["kb"]


_CACHE: dict[Path, Collection] = {}


def collection(corpus_dir: Path = CORPUS_DIR) -> Collection:
    """The collection for ``corpus_dir``, built on first use in this process."""
    corpus_dir = corpus_dir.resolve()
    if corpus_dir not in _CACHE:
        _CACHE[corpus_dir] = build_collection(corpus_dir)
    return _CACHE[corpus_dir]


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[str]:
    """File names of the manifest in the collection's languages, in manifest order."""
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["file"] for row in rows if row["language"] in LANGUAGES]


def build_collection(corpus_dir: Path = CORPUS_DIR) -> Collection:
    """A fresh instance in a temporary folder (removed at exit) with demo and corpus items."""
    from sqlalchemy import select

    from kb.app import create_app
    from kb.models import Event, FileVersion, QAEntry
    from kb.services import jobs
    from kb.services.access import ANONYMOUS
    from kb.services.items import ItemMeta, UploadFile, upload_files
    from kb.services.setup import init_instance, load_demo

    root = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    app = create_app({"KB_DATA_DIR": str(root), "SECRET_KEY": "relevance", "TESTING": True})
    kb = app.extensions["kb"]
    atexit.register(_remove, app, root)
    init_instance(kb)
    load_demo(kb, today=DEMO_TODAY)
    for name in corpus_files(corpus_dir):
        with (corpus_dir / name).open("rb") as fh:
            upload_files(kb, [UploadFile(name, fh)], ItemMeta(), ANONYMOUS)
    jobs.run_until_idle(kb)
    items: dict[str, int] = {}
    without_text = []
    with kb.db.reading() as session:
        for fv in session.scalars(select(FileVersion).where(FileVersion.is_current)):
            items[fv.filename] = fv.item_id
            if fv.status != "done":
                without_text.append(fv.filename)
        for event_id, title in session.execute(select(Event.id, Event.title)):
            items[OBJECT_MARK + title] = event_id
        for qa_id, question in session.execute(select(QAEntry.id, QAEntry.question)):
            items[OBJECT_MARK + question] = qa_id
    return Collection(app, root, items, sorted(without_text))


def _remove(app: Flask, root: Path) -> None:
    app.extensions["kb"].close()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class QueryResult:
    """How one judged query fared."""

    judgement: Judgement
    #: per item on the first result page (best first): its file names
    top: list[tuple[str, ...]]
    total: int
    #: rank (beyond CUTOFF, up to DEPTH) of relevant documents missing from the first page
    further: dict[str, int] = field(default_factory=dict)

    @property
    def ranks(self) -> dict[str, int | None]:
        """1-based rank of each relevant document's item (None: not in the first DEPTH)."""
        found: dict[str, int | None] = dict.fromkeys(self.judgement.relevant)
        for rank, names in enumerate(self.top, start=1):
            for name in names:
                if name in found and found[name] is None:
                    found[name] = rank
        for name, rank in self.further.items():
            if found.get(name, 0) is None:
                found[name] = rank
        return found

    @property
    def first_rank(self) -> int | None:
        """Rank of the first relevant item (beyond CUTOFF only for diagnostics)."""
        ranks = [r for r in self.ranks.values() if r is not None]
        return min(ranks) if ranks else None

    @property
    def misses(self) -> tuple[str, ...]:
        """Relevant documents not among the first CUTOFF items."""
        return tuple(n for n, r in self.ranks.items() if r is None or r > CUTOFF)

    @property
    def recall(self) -> float:
        relevant = self.judgement.relevant
        return (len(relevant) - len(self.misses)) / len(relevant)

    @property
    def reciprocal_rank(self) -> float:
        first = self.first_rank
        return 1.0 / first if first is not None and first <= CUTOFF else 0.0


@dataclass(frozen=True)
class Figures:
    queries: int
    recall: float
    mrr: float


@dataclass
class Metrics:
    """recall@10 and MRR (mean over queries), overall and per kind, with every query's result."""

    results: list[QueryResult]
    overall: Figures
    by_kind: dict[str, Figures]

    @property
    def recall(self) -> float:
        return self.overall.recall

    @property
    def mrr(self) -> float:
        return self.overall.mrr


def _figures(results: list[QueryResult]) -> Figures:
    n = len(results)
    if n == 0:
        return Figures(0, 0.0, 0.0)
    return Figures(
        n,
        sum(r.recall for r in results) / n,
        sum(r.reciprocal_rank for r in results) / n,
    )


def run_query(coll: Collection, judgement: Judgement) -> QueryResult:
    """Search as an anonymous visitor; look deeper only to report where misses ended up."""
    from kb.services.access import ANONYMOUS
    from kb.services.search import run_search

    page = run_search(coll.kb, judgement.query, ANONYMOUS, page=1, page_size=CUTOFF)
    top = [hit_names(hit) for hit in page.hits]
    result = QueryResult(judgement, top, page.total)
    if result.misses and page.total > CUTOFF:
        deep = run_search(coll.kb, judgement.query, ANONYMOUS, page=1, page_size=DEPTH)
        for rank, hit in enumerate(deep.hits[CUTOFF:], start=CUTOFF + 1):
            for name in hit_names(hit):
                if name in result.misses:
                    result.further.setdefault(name, rank)
    return result


def hit_names(hit: HitView) -> tuple[str, ...]:
    """How judgements name a hit: its files' names, or "@" + title for an event or Q&A entry."""
    if hit.files:
        return tuple(f["name"] for f in hit.files)
    if hit.object_type != "item":
        return (OBJECT_MARK + hit.title,)
    return ()


def unknown_documents(coll: Collection, judgements: list[Judgement]) -> dict[str, list[str]]:
    """Per query, the judged file names that are not in the collection (typos, renames)."""
    unknown = {}
    for j in judgements:
        missing = [name for name in j.relevant if name not in coll.items]
        if missing:
            unknown[j.query] = missing
    return unknown


def evaluate(coll: Collection, judgements: list[Judgement] | None = None) -> Metrics:
    """Run every judged query against ``coll`` and compute the figures."""
    judgements = load_judgements() if judgements is None else judgements
    results = [run_query(coll, j) for j in judgements]
    groups: dict[str, list[QueryResult]] = defaultdict(list)
    for result in results:
        groups[result.judgement.kind].append(result)
    by_kind = {kind: _figures(groups[kind]) for kind in KINDS if kind in groups}
    return Metrics(results, _figures(results), by_kind)
