"""Phrases checked with sets of positions instead of Whoosh's span lists.

Why: a phrase matches item documents, the text of a whole deck or guide (about 4,000 words
on average), and the words people put in phrases are often common ("die Anzahl", "werden
als"). Whoosh's ``Phrase`` becomes a ``SpanNear2`` that builds a ``Span`` object for every
position of every word in every candidate document and compares them pairwise in Python;
that was three quarters of a phrase query's time. The rule here is the same — word ``i``
of the phrase stands at the position of word 0 plus ``i`` (compound parts share their
compound's position, so they take part as before) — decided with set intersections, and
the score is the same too: the sum of the words' scores, as Whoosh's span matcher gives it.

Only plain phrases (``slop`` 1) take this path; anything else is Whoosh's own.

>>> ConsecutivePhrase("alltext", ["die", "anzahl"])
ConsecutivePhrase('alltext', ['die', 'anzahl'], slop=1, boost=1.000000)
"""

from __future__ import annotations

import logging
from typing import Any

from whoosh import matching
from whoosh.matching import binary
from whoosh.query import Phrase, Term, qcore
from whoosh.util import make_binary_tree

logger = logging.getLogger(__name__)


class ConsecutivePhrase(Phrase):
    """A :class:`whoosh.query.Phrase` whose matcher compares position sets."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        if self.slop != 1 or len(self.words) < 2:
            return super().matcher(searcher, context)
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise qcore.QueryError(f"Phrase search: {fieldname!r} field has no positions")
        reader = searcher.reader()
        matchers = []
        for word in self.words:
            try:
                text = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, text) not in reader:
                return matching.NullMatcher()  # a word the field lacks: no document matches
            matchers.append(Term(fieldname, text).matcher(searcher, context))
        m: Any = ConsecutiveMatcher(matchers)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class ConsecutiveMatcher(matching.WrappingMatcher):
    """Documents where the words of ``matchers`` stand at consecutive positions."""

    def __init__(self, matchers: list[Any]) -> None:
        self.ms = matchers
        super().__init__(make_binary_tree(binary.IntersectionMatcher, matchers))
        self._find_next()

    def _fits(self) -> bool:
        starts: set[int] | None = None
        for i, m in enumerate(self.ms):
            positions = m.value_as("positions")
            shifted = {p - i for p in positions} if i else set(positions)
            starts = shifted if starts is None else starts & shifted
            if not starts:
                return False
        return True

    def _find_next(self) -> None:
        child = self.child
        while child.is_active() and not self._fits():
            child.next()

    def copy(self):  # type: ignore[no-untyped-def]
        return self.__class__([m.copy() for m in self.ms])

    def replace(self, minquality=0):  # type: ignore[no-untyped-def]
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        # Skipping by block quality would land on documents whose positions were not checked.
        return False

    def next(self):  # type: ignore[no-untyped-def]
        self.child.next()
        self._find_next()

    def skip_to(self, id):  # type: ignore[no-untyped-def]
        self.child.skip_to(id)
        self._find_next()

    def all_ids(self):  # type: ignore[no-untyped-def]
        while self.is_active():
            yield self.id()
            self.next()
