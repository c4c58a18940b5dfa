"""Manual hyphenation for handout headings: soft hyphens only at compound boundaries.

Pyphen, which WeasyPrint uses for ``hyphens: auto``, breaks German compounds in the wrong
places ("Ausbil-dung" is fine, but "Integrationsko-ordination" is not). Headings therefore
use ``hyphens: manual`` and get soft hyphens (U+00AD) where our compound splitter
(kb/search/compounds.py, the same lexicon the search uses) sees a boundary:
"Integrations\u00adkoordination". Without the lexicon, headings are left as they are.
"""

from __future__ import annotations

import logging
import re

from markupsafe import Markup, escape

from kb.search.compounds import LexiconNotFound, lexicon, split_offsets

logger = logging.getLogger(__name__)

SOFT_HYPHEN = "\u00ad"
#: Shorter words fit a heading line anyway.
MIN_LENGTH = 12
_WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},}}")


def _breaks(word: str) -> list[int]:
    """Cut positions in ``word``; none unless every piece between them is a known word.

    The splitter serves search, where an odd extra part costs little; a heading broken as
    "Dampfs-chifffahrt" would be read by everyone, so here each piece must be in the lexicon.
    """
    lower = word.lower()
    parts = split_offsets(lower)
    # Boundaries at least three letters from either end: no "Ab-" or "-en" fragments.
    cuts = sorted({start for _text, start, _end in parts if 3 <= start <= len(word) - 3})
    known = lexicon().kinds
    pieces = [lower[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
    return cuts if all(piece in known for piece in pieces) else []


def hyphenate(text: str) -> str:
    """``text`` with soft hyphens at the compound boundaries of its long words.

    >>> hyphenate("Arbeitgeberkooperation im Landkreis").replace(SOFT_HYPHEN, "|")
    'Arbeitgeber|kooperation im Landkreis'
    """

    def soften(match: re.Match[str]) -> str:
        word = match.group(0)
        try:
            cuts = _breaks(word)
        except LexiconNotFound:
            return word
        pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
        return SOFT_HYPHEN.join(pieces)

    return _WORD.sub(soften, text)


def shy(value: object) -> Markup:
    """Jinja filter: escape, then hyphenate (soft hyphens are plain characters, not markup)."""
    return Markup(hyphenate(str(escape(value))))
