"""Text clean-up shared by every extractor.

Extracted text feeds the search index and the snippets users read, so every
format is brought to the same shape: NFKC (ligatures such as "ﬁ" become "fi",
non-breaking spaces become spaces), no invisible characters, LF line ends, no
words torn apart by end-of-line hyphenation, and no runs of blank space.
NUL and lone surrogates are removed too, because PostgreSQL text columns and
UTF-8 encoders reject them.
"""

from __future__ import annotations

import re
import unicodedata

# Soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Every line terminator we meet in the wild, including vertical tab (python-pptx
# line breaks), form feed and the Unicode line/paragraph separators.
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# PDFium reports a hyphen at a line end as U+FFFE with the line break removed;
# turning it back into "-\n" lets the hyphenation rule below decide.
_PDFIUM_HYPHEN = re.compile(r"\ufffe\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\uffff]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_EDGE_SPACE = re.compile(r"^ | $", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# A letter, a hyphen at the end of the line, and the word that continues it.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010]\n(?=(\w+))")
# "Asyl-, Migrations- und Integrationsfonds": before a conjunction the hyphen is
# a suspended compound, not hyphenation, so it stays and the space returns.
_CONJUNCTIONS = frozenset({"und", "oder", "bzw", "sowie", "and", "or"})


def normalize_text(text: str) -> str:
    """Return ``text`` cleaned for indexing and display.

    Line-end hyphens are resolved German-first: a lower-case continuation is
    joined without the hyphen ("Arbeitsmarkt-\\nintegration" becomes
    "Arbeitsmarktintegration"), a capital or digit keeps it
    ("EU-\\nMigrationsdienst" becomes "EU-Migrationsdienst"), and a following
    conjunction keeps a suspended hyphen ("Migrations- und").
    The function is idempotent.

    :param text: raw text from a parser.
    :return: the normalised text without leading or trailing blank space.
    """
    text = text.translate(_INVISIBLE)
    text = _LINE_BREAKS.sub("\n", text)
    text = _PDFIUM_HYPHEN.sub("-\n", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _EDGE_SPACE.sub("", text)
    text = _LINE_END_HYPHEN.sub(_join_hyphenated, text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def _join_hyphenated(match: re.Match[str]) -> str:
    word = match.group(1)
    if word.lower() in _CONJUNCTIONS:
        return "- "
    if word[0].islower():
        return ""
    return "-"
