"""Per-segment caches: the permission filter as bitmaps, and the item fields hits and facets need.

Why: Whoosh's ``ConstantScoreQuery`` (how the filter used to be written) reads every
document id its subquery matches into an array before *every* search — 86,000 ids per
query on a 100k-page index, whatever the query asked for. And reading the stored fields
of up to 1,000 collected items per query for their facet values was a fifth of a common
word's time. Both depend only on a segment's contents, and a Whoosh segment never changes
once written (deletions only hide documents, and document numbers are never reused), so
both are cached per segment and live as long as the segment does: new segments written by
the indexer get entries of their own, merged-away segments are pruned when the searcher is
reopened.

Security note: a bitmap is built from the postings of the ``allow`` terms, the same
terms the old filter query read, so it admits exactly the documents that query admitted.
A document deleted after its bitmap was built stays set in it, which is harmless: Whoosh's
matchers never yield deleted documents, so the bitmap is only ever asked about live ones.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN

from kb.search.schema import FACETS, MULTI_VALUED

logger = logging.getLogger(__name__)

#: A clause is an OR of (field, text) terms; a mask is the AND of its clauses.
Clause = Sequence[tuple[str, str]]
#: Bound on cached term bitmaps per segment (each is doc count / 8 bytes; 13 KiB at 100k).
MAX_TERMS_PER_SEGMENT = 2048
#: Bound on cached combined masks per segment (one per principal set and filter choice).
MAX_MASKS_PER_SEGMENT = 256


@dataclass(frozen=True)
class ItemFields:
    """What a hit and the facet counts need of an item document."""

    #: The object's key ("12" for an item, "e3" an event, "q5" a Q&A entry).
    key: str
    title: str
    kind: str
    #: (facet, value) pairs, one per value of each facet (kb.search.schema.FACETS)
    facets: tuple[tuple[str, str], ...]


def segment_key(reader: Any) -> str:
    """A segment's identity; segment ids are random names, unique across rebuilds."""
    segment = reader.segment()
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


class _Segment:
    def __init__(self, size: int) -> None:
        self.size = size
        self.terms: dict[tuple[str, str], int] = {}
        self.masks: dict[tuple[tuple[tuple[str, str], ...], ...], bytes | None] = {}
        self.items: dict[int, ItemFields] = {}
        #: field -> one length byte per document (Whoosh's encoding); None: not readable
        self.lengths: dict[str, bytes | None] = {}


class SegmentCache:
    """Caches keyed by segment; one per :class:`~kb.search.index.SearchIndex` (one process).

    Callers hold the index's search lock, so the caches see one search at a time; a lock of
    their own keeps them consistent anyway if that ever changes.
    """

    def __init__(self) -> None:
        self._segments: dict[str, _Segment] = {}
        self._lock = threading.Lock()

    def prune(self, searcher: Any) -> None:
        """Forget segments the (re)opened ``searcher`` no longer has."""
        live = {segment_key(s.reader()) for s, _offset in searcher.leaf_searchers()}
        with self._lock:
            for key in list(self._segments):
                if key not in live:
                    del self._segments[key]

    def _segment(self, reader: Any) -> _Segment:
        key = segment_key(reader)
        seg = self._segments.get(key)
        if seg is None:
            seg = self._segments[key] = _Segment(reader.doc_count_all())
        return seg

    # -- bitmaps -----------------------------------------------------------

    def _term_bits(self, reader: Any, seg: _Segment, field: str, text: str) -> int:
        bits = seg.terms.get((field, text))
        if bits is None:
            raw = bytearray((seg.size + 8) // 8)
            if (field, text) in reader:
                for docnum in reader.postings(field, text).all_ids():
                    raw[docnum >> 3] |= 1 << (docnum & 7)
            bits = int.from_bytes(raw, "little")
            if len(seg.terms) >= MAX_TERMS_PER_SEGMENT:
                seg.terms.clear()
            seg.terms[(field, text)] = bits
        return bits

    def mask(self, reader: Any, clauses: Sequence[Clause]) -> bytes | None:
        """The documents of ``reader``'s segment that meet every clause, as a little-endian
        bitmap (bit ``n`` of byte ``n >> 3`` for document ``n``); None if there are none.

        An empty clause admits nothing, so an empty principal list sees nothing.
        """
        key = tuple(tuple(sorted(set(clause))) for clause in clauses)
        with self._lock:
            seg = self._segment(reader)
            if key in seg.masks:
                return seg.masks[key]
            nbytes = (seg.size + 8) // 8
            combined = (1 << (8 * nbytes)) - 1  # all documents, before the first clause
            for clause in key:
                either = 0
                for field, text in clause:
                    either |= self._term_bits(reader, seg, field, text)
                combined &= either
            mask = combined.to_bytes(nbytes, "little") if combined > 0 else None
            if len(seg.masks) >= MAX_MASKS_PER_SEGMENT:
                seg.masks.clear()
            seg.masks[key] = mask
            return mask

    # -- field lengths (kb.search.scoring) ---------------------------------

    def length_bytes(self, reader: Any, fieldname: str) -> bytes | None:
        """The segment's field-length column of ``fieldname``: byte ``n`` encodes the length
        of document ``n`` (``whoosh.util.numeric.byte_to_length``). None when the segment
        stores it some other way; then Whoosh's own lookup is used."""
        with self._lock:
            seg = self._segment(reader)
            if fieldname not in seg.lengths:
                seg.lengths[fieldname] = _read_lengths(reader, fieldname, seg.size)
            return seg.lengths[fieldname]

    # -- item fields -------------------------------------------------------

    def item_fields(self, searcher: Any, docnums: Sequence[int]) -> list[ItemFields]:
        """The item fields of the (global) ``docnums`` of ``searcher``, in order."""
        leaves = searcher.leaf_searchers()
        offsets = [offset for _s, offset in leaves]
        out: list[ItemFields] = []
        with self._lock:
            for docnum in docnums:
                leaf = bisect.bisect_right(offsets, docnum) - 1
                sub, offset = leaves[leaf]
                reader = sub.reader()
                seg = self._segment(reader)
                local = docnum - offset
                fields = seg.items.get(local)
                if fields is None:
                    fields = seg.items[local] = self._read(reader, local)
                out.append(fields)
        return out

    def _read(self, reader: Any, docnum: int) -> ItemFields:
        stored = reader.stored_fields(docnum)
        return ItemFields(
            str(stored.get("item_id") or ""),
            stored.get("title") or "",
            stored.get("kind") or "",
            tuple(_facet_pairs(stored)),
        )


def _read_lengths(reader: Any, fieldname: str, size: int) -> bytes | None:
    """The raw length column (one byte per document, padded with 0 for documents after the
    last one written). Reaches into Whoosh's per-document reader (whoosh3 codec): there is no
    public way to read a whole column of a non-schema field."""
    lenfield = f"_{fieldname}_len"
    try:
        perdoc = reader._perdoc
        if not perdoc.has_column(lenfield):
            return None
        column = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
        if getattr(column, "_fixedlen", None) != 1:
            return None
        raw = bytes(column._dbfile.get(column._basepos, column._count))
    except AttributeError:  # another codec or reader: use Whoosh's lookup
        logger.info("No length table for %s; scoring through Whoosh's lookups", fieldname)
        return None
    return raw + bytes(max(0, size - len(raw)))


def _facet_pairs(stored: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, fieldname in FACETS.items():
        raw = stored.get(fieldname)
        if not raw:
            continue
        values = raw.split(",") if name in MULTI_VALUED else [raw]
        yield from ((name, value) for value in values if value)
