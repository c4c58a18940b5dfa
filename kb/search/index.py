"""The Whoosh index on disk: one writer behind a file lock, many readers.

Layout of the index root::

    CURRENT          names the live index directory (replaced atomically)
    REPLICA          this index root's id as a replica of the log (made once, never changed)
    ix-<stamp>/      Whoosh segment files of one build
    indexer.lock     held by the one process that applies the index log

A rebuild writes a fresh ``ix-<stamp>`` beside the old one and then switches
``CURRENT``; readers notice the new name and reopen. Readers never take the
writer lock, so no request waits on it.
"""

from __future__ import annotations

import datetime
import fcntl
import gc
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from kb.errors import IndexUnavailable
from kb.search import build, mapped
from kb.search.schema import META_DOC_ID, SCHEMA_VERSION, KbSchema
from kb.search.scoring import TableBM25F
from kb.search.segments import SegmentCache

logger = logging.getLogger(__name__)

mapped.install()  # compound segments are read from their map, not copied per open

Document = dict[str, Any]


class SearchIndex:
    """Access to the index under ``root`` for one process.

    :param root: the index root folder (``index/`` or ``$KB_DATA_DIR/index``).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._searcher_dir: str | None = None
        #: Sizes of the files the open searcher maps (see :meth:`_files_changed`).
        self._file_sizes: dict[Path, int] = {}
        #: Permission bitmaps and item fields per segment (see kb/search/segments.py).
        self.segments = SegmentCache()

    # -- locations -------------------------------------------------------

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current_dir(self) -> Path | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    @property
    def replica_file(self) -> Path:
        return self.root / "REPLICA"

    def replica_id(self) -> str:
        """This index root's stable id as a replica of the index log (32 hex digits).

        Made once, on first use, and kept across rebuilds (which only switch ``CURRENT``), so
        the database can tell which log entries this copy has applied. A copied index root
        must have its ``REPLICA`` file deleted, or two copies would share one id.
        """
        try:
            if value := self.replica_file.read_text().strip():
                return value
        except FileNotFoundError:
            pass
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"REPLICA.{secrets.token_hex(4)}.tmp"
        tmp.write_text(secrets.token_hex(16))
        try:
            os.link(tmp, self.replica_file)  # create-if-absent, atomic: one id wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return self.replica_file.read_text().strip()

    def exists(self) -> bool:
        current = self.current_dir()
        return current is not None and whoosh_index.exists_in(str(current))

    def create(self) -> None:
        """Create an empty index and point ``CURRENT`` at it (idempotent)."""
        if self.exists():
            return
        self._switch_to(self._new_dir())

    def created_on(self) -> datetime.date | None:
        """The day the live index directory was written (its name says so), if any."""
        current = self.current_dir()
        try:
            stamp = current.name.split("-")[1] if current is not None else ""
            return datetime.datetime.strptime(stamp, "%Y%m%d%H%M%S").date()
        except (IndexError, ValueError):
            return None

    def _new_dir(self) -> Path:
        path = self.root / f"ix-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
        path.mkdir(parents=True)
        ix = whoosh_index.create_in(str(path), KbSchema())
        with ix.writer() as writer:
            writer.add_document(doc_id=META_DOC_ID, applied=0, schema_version=SCHEMA_VERSION)
        return path

    def _switch_to(self, new_dir: Path) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(new_dir.name)
        os.replace(tmp, self.current_file)
        logger.info("Index now served from %s", new_dir.name)

    def stale_dirs(self) -> list[Path]:
        """Index directories other than the live one: left by a rebuild that was killed
        before it switched ``CURRENT`` (or whose old directory could not be removed).

        Only meaningful while holding the writer lock: without it, one of them may be a
        rebuild in progress.
        """
        current = self.current_dir()
        if not self.root.is_dir():
            return []
        return sorted(
            path
            for path in self.root.glob("ix-*")
            if path.is_dir() and (current is None or path.name != current.name)
        )

    def remove_stale_dirs(self) -> int:
        """Delete :meth:`stale_dirs`; the caller holds the writer lock. Return how many."""
        stale = self.stale_dirs()
        for path in stale:
            logger.warning("Removing %s, left by an interrupted index rebuild", path.name)
            shutil.rmtree(path, ignore_errors=True)
        return len(stale)

    def _open(self) -> whoosh_index.Index:
        current = self.current_dir()
        if current is None or not whoosh_index.exists_in(str(current)):
            raise FileNotFoundError(f"no index under {self.root}; run `kb init`")
        return whoosh_index.open_dir(str(current))

    # -- writing (only the holder of the writer lock) --------------------

    @contextmanager
    def writer_lock(self, blocking: bool = False) -> Iterator[bool]:
        """Hold the single-writer file lock; yields False if another process has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "indexer.lock", "a+") as fh:
            flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
            try:
                fcntl.flock(fh, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _meta(self) -> dict[str, Any]:
        with self.searching() as searcher:
            return dict(searcher.document(doc_id=META_DOC_ID) or {})

    def applied_id(self) -> int:
        """The id of the last index-log entry this index has applied (0 if none)."""
        return int(self._meta().get("applied") or 0)

    def health(self) -> str:
        """ "ok", "missing", "outdated" (built with another schema) or "corrupt".

        Only the indexer acts on the answer (by rebuilding from the database);
        readers report it.
        """
        if self.current_dir() is None:
            return "missing"
        try:
            meta = self._meta()
        except IndexUnavailable as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                return "missing"
            return "corrupt"
        except Exception:  # whoosh raises many kinds on damaged files
            logger.exception("Search index under %s cannot be read", self.root)
            return "corrupt"
        if meta.get("schema_version") != SCHEMA_VERSION:
            return "outdated"
        return "ok"

    def optimize(self) -> None:
        """Merge all segments into one (faster searches); caller holds the writer lock."""
        self._open().optimize()
        logger.info("Optimised index %s", self.current_dir())

    def replace_objects(self, docs_by_item: Mapping[str, list[Document]], applied_id: int) -> None:
        """Replace all documents of the given objects (by key) and record ``applied_id``.

        Re-indexing an item first deletes every document it had, so a deck
        that lost slides leaves no stale pages behind. Caller holds the lock.
        """
        ix = self._open()
        writer = ix.writer(timeout=30)
        # Our own searcher for the deletions: the one Whoosh's writer caches for itself
        # sits in a reference cycle, so its readers' memory maps of every segment stayed
        # until a full garbage collection (one more map of the large segment per write).
        searcher = None
        try:
            searcher = Searcher(writer.reader())
            for item_id, docs in docs_by_item.items():
                writer.delete_by_term("item_id", str(item_id), searcher=searcher)
                for doc in docs:
                    writer.add_document(**doc)
            writer.delete_by_term("doc_id", META_DOC_ID, searcher=searcher)
            writer.add_document(
                doc_id=META_DOC_ID, applied=applied_id, schema_version=SCHEMA_VERSION
            )
        except BaseException:
            if searcher is not None:
                searcher.close()
            writer.cancel()
            raise
        searcher.close()
        writer.commit()
        # Segments merged by the commit were read through readers that Whoosh leaves in
        # young reference cycles, maps included; collecting the young generations frees
        # them now (about a millisecond) rather than at the next full collection.
        gc.collect(1)

    def rebuild(self, docs: Iterable[Document], applied_id: int) -> Path:
        """Write a complete new index beside the live one, then switch to it.

        Large rebuilds are written in batches by worker processes (``kb.search.build``).
        A rebuild killed before the switch leaves the live index untouched and its own
        directory behind; the next rebuild (or the indexer's start) removes it. Caller holds
        the writer lock.
        """
        self.remove_stale_dirs()
        old = self.current_dir()
        new_dir = self._new_dir()
        meta = {"doc_id": META_DOC_ID, "applied": applied_id, "schema_version": SCHEMA_VERSION}
        try:
            count = build.write_all(new_dir, docs, meta)
        except BaseException:
            shutil.rmtree(new_dir, ignore_errors=True)
            raise
        self._switch_to(new_dir)
        if old is not None and old != new_dir:
            # Readers in other processes may still have the old files open; on
            # POSIX that is safe, they keep reading the unlinked files.
            shutil.rmtree(old, ignore_errors=True)
        logger.info("Rebuilt index with %d documents up to log id %d", count, applied_id)
        return new_dir

    # -- reading ---------------------------------------------------------

    @contextmanager
    def searching(self) -> Iterator[Searcher]:
        """A current view of the index for one request.

        One searcher per process, kept while the index is unchanged and
        replaced when a writer committed or ``CURRENT`` names a new directory.
        Whoosh's own ``Searcher.refresh()`` is not used: it reuses segment
        readers whose deletion sets are stale, so deleted documents would
        stay visible (seen in whoosh-reloaded 2.7.5). Searches in one process
        are serialised by a lock; they are short.
        """
        with self._lock:
            current = self.current_file.read_text().strip() if self.current_file.exists() else None
            try:
                stale = (
                    self._searcher is None
                    or current != self._searcher_dir
                    or self._files_changed()
                    or not self._searcher.up_to_date()
                )
            except Exception:  # a damaged table of contents: reopen, which reports it
                stale = True
            if stale:
                if self._searcher is not None:
                    self._searcher.close()
                    self._searcher = None
                self._file_sizes = self._sizes_now(current)
                self._searcher = self._open_searcher()
                self._searcher_dir = current
                self.segments.prune(self._searcher)
            yield self._searcher

    def _sizes_now(self, current: str | None) -> dict[Path, int]:
        if not current:
            return {}
        try:
            paths = [p for p in (self.root / current).iterdir() if p.suffix in (".seg", ".toc")]
            return {p: p.stat().st_size for p in paths}
        except OSError:  # gone: opening the searcher reports it
            return {}

    def _files_changed(self) -> bool:
        """True if a file the open searcher reads has shrunk, grown or gone without a commit.

        Whoosh maps segment files into memory; reading a mapped file that was truncated
        under it (disk trouble, a careless copy) kills the process with SIGBUS. A few
        ``stat`` calls per search catch that first, and the reopen then reports the
        index as unusable (503) instead.
        """
        for path, size in self._file_sizes.items():
            try:
                if path.stat().st_size != size:
                    return True
            except FileNotFoundError:
                return True  # merged away by a commit (then the reopen is due anyway)
        return False

    def _open_searcher(self) -> Searcher:
        try:
            return self._open().searcher(weighting=TableBM25F(self.segments))
        except Exception as exc:  # whoosh raises many kinds on missing or damaged files
            logger.error("Cannot open the search index under %s: %s", self.root, exc)
            raise IndexUnavailable(
                "Die Suche ist gerade nicht verfügbar; der Suchindex wird neu aufgebaut. "
                "Bitte versuchen Sie es in einigen Minuten erneut.",
                "Search is unavailable right now; the index is being rebuilt. "
                "Please try again in a few minutes.",
            ) from exc

    def object_keys(self) -> set[str]:
        """Every object key ("12", "e3", "q5") that has documents in the index (``kb check``)."""
        with self.searching() as searcher:
            # Only live documents: the lexicon still lists terms of deleted ones.
            return {f["item_id"] for f in searcher.documents() if f.get("item_id")}

    def item_ids(self) -> set[int]:
        """Every item id that has documents in the index."""
        return {int(key) for key in self.object_keys() if key.isdigit()}

    def doc_count_for(self, item_id: int) -> int:
        with self.searching() as searcher:
            return searcher.doc_frequency("item_id", str(item_id))

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
