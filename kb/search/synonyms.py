"""Synonyms and acronyms from an editable text file (see kb/data/synonyms.txt).

Applied at query time only, so an edited list takes effect at the next search
without a reindex: the file is re-read when its modification time changes.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_SYNONYMS = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"

Synonyms = dict[str, list[str]]


def parse_synonyms(text: str) -> Synonyms:
    """``AMIF = Asyl-, …fonds`` maps the acronym to the long form; a comma list maps each
    single word to the others. Keys are single words, case-folded.

    >>> parse_synonyms("AMIF = Asyl-, Migrations- und Integrationsfonds")["amif"]
    ['Asyl-, Migrations- und Integrationsfonds']
    >>> parse_synonyms("Kita, Kindertagesstätte")["kindertagesstätte"]
    ['Kita']
    """
    result: Synonyms = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" in line:
            key, _, long_form = (part.strip() for part in line.partition("="))
            group = [key, long_form]
        else:
            group = [w.strip() for w in line.split(",") if w.strip()]
        for word in group:
            if " " in word or not word:
                continue  # long forms are expanded to, not from
            others = [o for o in group if o != word]
            result.setdefault(word.casefold(), []).extend(
                o for o in others if o not in result.get(word.casefold(), [])
            )
    return result


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Synonyms:
    logger.info("Loading synonyms from %s", path)
    return parse_synonyms(Path(path).read_text(encoding="utf-8"))


def load_synonyms(path: Path | None = None) -> Synonyms:
    """The synonyms of ``path`` (default: the list shipped with kb); {} if the file is missing."""
    path = path or DEFAULT_SYNONYMS
    try:
        return _load(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        logger.warning("Synonym file %s not found; searching without synonyms", path)
        return {}
