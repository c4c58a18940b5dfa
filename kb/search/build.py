"""Writing a whole index: documents streamed to worker processes, a segment per ~40M characters.

Why not one writer for everything (the first rebuild): Whoosh keeps the postings of all added
documents in a pool until ``commit``, spilling sorted runs of them to temporary files once
the pool passes ``limitmb``; the runs are pickled postings, about 30 bytes per character of
text, and all stay on disk until the final merge, so a 100k-page rebuild needed 7x the
finished index in temporary space, and it ran on one core.

Here the parent streams small chunks of documents to :data:`PROCS` worker processes
(bounded queues, so nobody holds more than a few chunks). Each worker writes a segment of
its own and closes it once it has taken :data:`SEGMENT_CHARS` characters of text, then
starts the next; its pool's runs are compressed (:class:`CompressedPool`; a run of a 128
MB pool took about 9 MB on disk at 100k pages). So both cores work, memory stays bounded
per process, temporary space is at most one open segment's compressed runs per worker, and
a 100k-page archive becomes half a dozen segments (each segment costs every query a term
lookup per query term; the nightly optimise merges them). The segments are committed
together under the writer lock, as Whoosh's own ``MpWriter(multisegment=True)`` does; that
class would put all of a worker's documents into one segment, which brings the temporary
space back.

A rebuild that fits in one segment (tests, small installations) is written in-process
with no worker processes.

This relies on Whoosh's writer internals that ``whoosh.multiproc`` is built on
(``SegmentWriter(_lk=False)``, ``_finalize_segment``, ``_commit_toc``, the pool's run
files); they are stable in whoosh-reloaded 2.7.x, and tests/test_index_lifecycle.py
rebuilds through both paths.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import multiprocessing
import queue
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import PostingPool, SegmentWriter

logger = logging.getLogger(__name__)

Document = dict[str, Any]

#: Characters of the text fields per segment. Page text counts twice (the page's ``content``
#: and its item's ``alltext``), so this is about 8,500 pages of 2,300 characters.
SEGMENT_CHARS = 40_000_000
#: Worker processes; the machines this runs on have two cores.
PROCS = 2
#: Whoosh's posting pool per writer before it spills a (compressed) run to disk, in MB.
LIMIT_MB = 128
#: Documents per message to a worker.
CHUNK_DOCS = 100
#: Text fields whose size counts towards a segment.
_TEXT_FIELDS = ("content", "alltext", "title", "summary")


def _chars(docs: Iterable[Document]) -> int:
    return sum(len(doc.get(name) or "") for doc in docs for name in _TEXT_FIELDS)


class _GzipRun(gzip.GzipFile):
    """A run file, gzip level 1, that closes the raw file it wraps."""

    def __init__(self, raw: Any, mode: str) -> None:
        super().__init__(fileobj=raw, mode=mode, compresslevel=1)
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


class CompressedPool(PostingPool):
    """Whoosh's posting pool with its spilled runs gzip-compressed.

    A run is a sequence of pickled (field, term, docnum, weight, value) tuples, the field
    name repeated in each: it compresses many times over at the lowest level, which costs
    little next to writing the postings.
    """

    def _new_run(self):  # type: ignore[no-untyped-def]
        path, raw = super()._new_run()
        return path, _GzipRun(raw, "wb")

    def _open_run(self, path):  # type: ignore[no-untyped-def]
        return _GzipRun(super()._open_run(path), "rb")


def _writer(ix: Any, **kwargs: Any) -> Any:
    writer = SegmentWriter(ix, limitmb=LIMIT_MB, **kwargs)
    writer.pool = CompressedPool(writer.temp_storage(), writer.newsegment, limitmb=LIMIT_MB)
    return writer


def write_all(
    index_dir: Path,
    docs: Iterable[Document],
    meta: Document,
    segment_chars: int | None = None,
    procs: int | None = None,
) -> int:
    """Add ``docs`` and the meta document (``update_document``) to the index in
    ``index_dir``, which no one else writes to; return the number of documents."""
    segment_chars = segment_chars or SEGMENT_CHARS
    chunks = _chunks(iter(docs), CHUNK_DOCS)
    head: list[list[Document]] = []
    size = 0
    for chunk in chunks:  # read ahead until the input is known to need more than a segment
        head.append(chunk)
        size += _chars(chunk)
        if size >= segment_chars:
            break
    ix = whoosh_index.open_dir(str(index_dir))
    if size < segment_chars:  # small: one writer in this process
        writer = _writer(ix)
        try:
            for doc in itertools.chain.from_iterable(head):
                writer.add_document(**doc)
            writer.update_document(**meta)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return sum(map(len, head))
    count, segments = _write_in_workers(
        index_dir, itertools.chain(head, chunks), segment_chars, procs or PROCS
    )
    writer = ix.writer()
    try:
        writer.update_document(**meta)
        final = writer._merge_segments(None, False, False)  # the existing ones, unmerged
        final.extend(segments)
        final.append(writer._finalize_segment())
        writer._commit_toc(final)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    logger.info("Wrote %d documents in %d segments", count, len(segments))
    return count


def _chunks(docs: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while chunk := list(itertools.islice(docs, size)):
        yield chunk


def _write_in_workers(
    index_dir: Path, chunks: Iterable[list[Document]], segment_chars: int, procs: int
) -> tuple[int, list[Any]]:
    """Deal ``chunks`` out to ``procs`` workers; return the document count and segments."""
    context = multiprocessing.get_context("spawn")  # never fork a threaded server process
    jobs = [context.Queue(maxsize=4) for _ in range(procs)]
    results = context.Queue()
    workers = [
        context.Process(target=_work, args=(str(index_dir), q, results), daemon=True) for q in jobs
    ]
    for w in workers:
        w.start()
    count = 0
    taken = [0] * procs  # characters in each worker's open segment
    try:
        turn = 0
        for chunk in chunks:
            count += len(chunk)
            turn = _put(jobs, workers, turn, ("docs", chunk))
            taken[turn] += _chars(chunk)
            if taken[turn] >= segment_chars:
                jobs[turn].put(("end", None))
                taken[turn] = 0
            turn = (turn + 1) % procs
        for q in jobs:
            q.put(("end", None))
            q.put(("stop", None))
        segments = _results(results, workers)
    except BaseException:
        for w in workers:
            w.kill()
        raise
    for w in workers:
        w.join()
    return count, segments


def _put(jobs: list[Any], workers: list[Any], turn: int, item: Any) -> int:
    """Give ``item`` to the first worker from ``turn`` on with room; return which one."""
    while True:
        for step in range(len(jobs)):
            n = (turn + step) % len(jobs)
            try:
                jobs[n].put_nowait(item)
                return n
            except queue.Full:
                continue
        if not all(w.is_alive() for w in workers):
            raise RuntimeError("an index worker process ended early")
        time.sleep(0.01)


def _results(results: Any, workers: list[Any]) -> list[Any]:
    segments: list[Any] = []
    done = 0
    while done < len(workers):
        try:
            kind, payload = results.get(timeout=1.0)
        except queue.Empty:
            if not all(w.is_alive() or w.exitcode == 0 for w in workers):
                raise RuntimeError("an index worker process ended early") from None
            continue
        if kind == "segment":
            segments.append(payload)
        elif kind == "error":
            raise RuntimeError(f"an index worker failed:\n{payload}")
        else:
            done += 1
    return segments


def _work(index_dir: str, jobs: Any, results: Any) -> None:
    """A worker: add documents to its open segment; "end" closes it, "stop" ends the worker.

    A segment is not listed in the index until the parent commits it, so a failed rebuild
    leaves nothing behind but files in a directory that is removed.
    """
    try:
        ix = whoosh_index.open_dir(index_dir)
        writer = None
        while True:
            kind, payload = jobs.get()
            if kind == "docs":
                writer = writer or _writer(ix, _lk=False, compound=False)
                for doc in payload:
                    writer.add_document(**doc)
            elif kind == "end":
                if writer is not None:
                    # Not writer._finish(): it removes the temporary folder all writers share.
                    results.put(("segment", writer._finalize_segment()))
                    writer = None
            else:
                break
        results.put(("done", None))
    except BaseException:
        results.put(("error", traceback.format_exc()))
