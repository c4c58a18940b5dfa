"""Where the query's words stand best in each shown item, and the highlighted snippets there.

Why not a Whoosh search over the page documents (the first version): that ran an
intersection of "one of these items" with "one of these words" over all page documents,
recorded matched terms for every matching page and then loaded character offsets for
all of them — a third of a query's time, for ten items. Here, per segment, the page
documents of the shown items come from their ``item_id`` postings (a dozen documents
each), every query word's postings are skipped straight to those documents for its score
(BM25F, as the search itself) and its stored character offsets, and only the best
:data:`PAGES_PER_ITEM` pages of each item are read and cut into snippets. The snippets are
cut from those offsets ("pinpoint" highlighting), so page text is not analysed again.
Page documents share their item's access; the items passed the permission filter.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from whoosh import highlight
from whoosh.analysis import Token
from whoosh.query import Term

logger = logging.getLogger(__name__)

PAGES_PER_ITEM = 3
#: Fragments per snippet.
FRAGMENTS = 2


@dataclass
class PageHit:
    page: int
    unit: str
    snippet: str  # HTML with <mark>; the text around it is escaped


class MarkFormatter(highlight.HtmlFormatter):
    """Snippet fragments with a plain <mark> around matched terms; other text escaped."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):  # type: ignore[no-untyped-def]
        word = highlight.htmlescape(highlight.get_text(text, token, replace))
        return f"<mark>{word}</mark>"


def best_pages(
    searcher: Any, item_ids: Sequence[str], words: Sequence[str]
) -> dict[str, list[PageHit]]:
    """The best pages (with snippets) of the objects keyed ``item_ids`` for ``words``."""
    if not words or not item_ids:
        return {}
    scored: dict[str, list[tuple[float, int]]] = {}  # item -> [(-score, global docnum)]
    offsets: dict[int, dict[str, Any]] = {}  # global docnum -> word -> [(pos, start, end)]
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        owner: dict[int, str] = {}
        for item_id in item_ids:
            if ("item_id", str(item_id)) in reader:
                for docnum in reader.postings("item_id", str(item_id)).all_ids():
                    owner[docnum] = item_id
        if not owner:
            continue
        docs = sorted(owner)
        scores = dict.fromkeys(docs, 0.0)
        for word in words:
            if ("content", word) not in reader:
                continue
            matcher = Term("content", word).matcher(sub, context)
            for docnum in docs:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    scores[docnum] += matcher.score()
                    chars = matcher.value_as("characters")
                    offsets.setdefault(offset + docnum, {})[word] = chars
        for docnum, score in scores.items():
            if score > 0:
                scored.setdefault(owner[docnum], []).append((-score, offset + docnum))
    best = {item_id: sorted(pages)[:PAGES_PER_ITEM] for item_id, pages in scored.items()}
    return {
        item_id: [_page(searcher, docnum, offsets[docnum]) for _score, docnum in pages]
        for item_id, pages in best.items()
    }


def _page(searcher: Any, docnum: int, chars: dict[str, Any]) -> PageHit:
    stored = searcher.stored_fields(docnum)
    return PageHit(int(stored["page"]), stored.get("unit") or "page", snippet(stored, chars))


def snippet(stored: dict[str, Any], chars: dict[str, Any]) -> str:
    """Highlighted fragments of the stored page text, from the words' character offsets.

    What Whoosh's ``Highlighter.highlight_hit`` does on its "pinpoint" path.
    """
    text = stored.get("content") or ""
    fragmenter = highlight.PinpointFragmenter(maxchars=240, surround=60, autotrim=True)
    tokens = []
    for word, spans in chars.items():
        for pos, start, end in spans:
            if fragmenter.charlimit and end > fragmenter.charlimit:
                break
            tokens.append(Token(text=word, pos=pos, startchar=start, endchar=end))
    tokens.sort(key=lambda t: t.startchar)
    # Compound parts share their word's start: keep the longest token at each start.
    tokens = [
        max(group, key=lambda t: t.endchar - t.startchar)
        for _start, group in groupby(tokens, lambda t: t.startchar)
    ]
    fragments = fragmenter.fragment_matches(text, tokens)
    best = highlight.top_fragments(
        fragments, FRAGMENTS, highlight.BasicFragmentScorer(), highlight.FIRST
    )
    return MarkFormatter().format(best)
