"""Writing a whole index: batches of documents analysed in worker processes, a segment each.

Why not one writer for everything (the first rebuild): Whoosh keeps the postings of all
added documents in a pool until ``commit``, spilling sorted runs of them to temporary
files once the pool passes ``limitmb``; all runs stay on disk until the final merge, so a
100k-page rebuild needed 7x the finished index in temporary space, and it ran on one core.
Here every batch of about :data:`BATCH_CHARS` characters of text becomes a segment of its
own, written by one of :data:`PROCS` worker processes: the temporary space is at most one
batch's runs per worker, both cores work, and memory stays bounded (``LIMIT_MB`` per
worker). The segments are then committed together under the writer lock, as Whoosh's own
``MpWriter(multisegment=True)`` does (that class makes one segment per process out of
*all* its documents, which brings the temporary space back). The many segments are merged
by the nightly optimise (``kb optimize``).

A rebuild that fits in one batch (tests, small installations) is written in-process, as
before: no worker processes are started.

This uses three of Whoosh's writer internals (``SegmentWriter(_lk=False)``,
``_finalize_segment``, ``_commit_toc``), the ones ``whoosh.multiproc`` is built on; they
are stable in whoosh-reloaded 2.7.x, and tests/test_index_lifecycle.py rebuilds through
both paths.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

logger = logging.getLogger(__name__)

Document = dict[str, Any]

#: Characters of document text per batch (one segment each): about 3,500 pages of 2,300.
#: Smaller batches mean less memory and temporary disk, more segments until the optimise.
BATCH_CHARS = 8_000_000
#: Worker processes; the machines this runs on have two cores.
PROCS = 2
#: Whoosh's posting pool per writer before it spills runs to temporary files (MB).
LIMIT_MB = 96
#: Text fields whose size counts towards a batch.
_TEXT_FIELDS = ("content", "alltext", "title", "summary")


def batches(docs: Iterable[Document], batch_chars: int) -> Iterator[list[Document]]:
    """``docs`` in lists of about ``batch_chars`` characters of text."""
    batch: list[Document] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        size += sum(len(doc.get(name) or "") for name in _TEXT_FIELDS)
        if size >= batch_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def write_all(
    index_dir: Path,
    docs: Iterable[Document],
    meta: Document,
    batch_chars: int | None = None,
    procs: int | None = None,
) -> int:
    """Add ``docs`` and the meta document (``update_document``) to the index in
    ``index_dir``, which no one else writes to; return the number of documents."""
    procs = procs or PROCS
    chunks = batches(docs, batch_chars or BATCH_CHARS)
    first = next(chunks, [])
    second = next(chunks, None)
    ix = whoosh_index.open_dir(str(index_dir))
    if second is None:  # small: one writer in this process
        with ix.writer(limitmb=LIMIT_MB * 2) as writer:
            for doc in first:
                writer.add_document(**doc)
            writer.update_document(**meta)
        return len(first)
    segments: list[Any] = []
    count = 0
    context = multiprocessing.get_context("spawn")  # no fork of a threaded server process
    head = [first, second]
    del first, second
    with ProcessPoolExecutor(procs, mp_context=context) as pool:
        pending: list[Future[Any]] = []
        for batch in _chain(head, chunks):
            count += len(batch)
            pending.append(pool.submit(write_segment, str(index_dir), batch))
            del batch
            while len(pending) >= procs:  # a batch stays in memory here until it is written
                segments.append(pending.pop(0).result())
        segments.extend(f.result() for f in pending)
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


def _chain(head: list[list[Document]], rest: Iterator[list[Document]]) -> Iterator[list[Document]]:
    yield from head
    head.clear()  # let the first batches go once submitted
    yield from rest


def write_segment(index_dir: str, docs: list[Document]) -> Any:
    """In a worker: analyse ``docs`` into a new segment of the index; return the segment.

    The segment is not listed in the index until the parent commits it, so a failed
    rebuild leaves nothing behind but files in a directory that is removed.
    """
    ix = whoosh_index.open_dir(index_dir)
    writer = SegmentWriter(ix, _lk=False, limitmb=LIMIT_MB, compound=False)
    for doc in docs:
        writer.add_document(**doc)
    # Not writer._finish(): it would remove the temporary folder the other worker uses.
    return writer._finalize_segment()
