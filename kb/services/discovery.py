"""Spelling suggestions, completions, related items and saved searches for pages and API.

Permission safety lives in :mod:`kb.search.suggest` (every candidate is
checked with the viewer's filter inside the index); related items are
re-checked against the database like hits.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, select

from kb.errors import NotFound, ValidationError
from kb.models import KINDS, Item, SavedSearch, Topic
from kb.search import suggest
from kb.services.access import Viewer, can_view
from kb.services.context import Kb
from kb.services.search import FACET_LABELS, search_text

logger = logging.getLogger(__name__)

#: Parameters a saved search may carry (the whole state of /search, nothing else).
SEARCH_PARAMS = {"q", "sort", *FACET_LABELS}
MAX_SAVED = 100
#: Completions offered at most, of them at most so many topics and whole titles.
MAX_COMPLETIONS = 8
MAX_TOPICS = 2
MAX_TITLES = 3


def spelling_suggestion(kb: Kb, text: str, viewer: Viewer) -> str | None:
    return suggest.spelling_suggestion(kb.index, text, viewer.principals())


def completions(kb: Kb, text: str, viewer: Viewer) -> list[str]:
    """What the search box offers for ``text``: topic names, then whole item titles, then
    the last word completed from frequent words; each visible to ``viewer``.

    Topics and titles continue the whole typed text; titles found in the index are
    re-checked against the database (the index lags it a moment) and shown as they are now.
    """
    text = " ".join(search_text(text)[:200].split())
    principals = viewer.principals()
    with kb.db.reading() as session:
        topics = [(t.slug, t.name) for t in session.scalars(select(Topic).order_by(Topic.name))]
    offered = suggest.topic_completions(kb.index, text, topics, principals)[:MAX_TOPICS]
    offered += _title_completions(kb, text, viewer)[:MAX_TITLES]
    offered += suggest.completions(kb.index, text, principals, limit=MAX_COMPLETIONS)
    unique: dict[str, str] = {}
    for completion in offered:  # the first of the ones equal but for case wins
        unique.setdefault(completion.casefold(), completion)
    return list(unique.values())[:MAX_COMPLETIONS]


def _title_completions(kb: Kb, text: str, viewer: Viewer) -> list[str]:
    found = suggest.title_completions(kb.index, text, viewer.principals())
    ids = [int(key) for key, _title in found if key.isdigit()]  # items; events and Q&A: no
    if not ids:
        return []
    with kb.db.reading() as session:
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
        return [
            items[i].title
            for i in ids
            if i in items and can_view(viewer, items[i]) and suggest.continues(items[i].title, text)
        ]


def related(kb: Kb, item_id: int, viewer: Viewer, limit: int = 5) -> list[dict[str, object]]:
    """Related items as plain data (id, title, kind label), each visible to ``viewer``."""
    ids = suggest.related_items(kb.index, item_id, viewer.principals(), limit)
    with kb.db.reading() as session:
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
        return [
            {"id": i, "title": items[i].title, "kind_label": KINDS.get(items[i].kind, "")}
            for i in ids
            if i in items and can_view(viewer, items[i])
        ]


def clean_query_string(raw: str) -> str:
    """Keep only the parameters of a search (so a saved search is never anything else)."""
    pairs = [(k, v[:500]) for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=False)]
    kept = [(k, v) for k, v in pairs if k in SEARCH_PARAMS]
    if not kept:
        raise ValidationError(
            "Diese Suche enthält nichts, was sich speichern ließe.",
            "There is nothing in this search to save.",
        )
    return urlencode(kept[:60])


def save_search(kb: Kb, owner_key: str, name: str, query_string: str) -> SavedSearch:
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationError("Bitte geben Sie der Suche einen Namen.", "Please name the search.")
    qs = clean_query_string(query_string)
    with kb.db.writing() as session:
        count = len(
            session.scalars(select(SavedSearch.id).where(SavedSearch.owner_key == owner_key)).all()
        )
        if count >= MAX_SAVED:
            raise ValidationError(
                f"Es können höchstens {MAX_SAVED} Suchen gespeichert werden.",
                f"At most {MAX_SAVED} searches can be saved.",
            )
        saved = SavedSearch(owner_key=owner_key, name=name, query_string=qs)
        session.add(saved)
    return saved


def saved_searches(kb: Kb, owner_key: str | None) -> list[SavedSearch]:
    if not owner_key:
        return []
    with kb.db.reading() as session:
        query = select(SavedSearch).where(SavedSearch.owner_key == owner_key)
        return list(session.scalars(query.order_by(SavedSearch.created_at.desc())))


def delete_saved_search(kb: Kb, owner_key: str | None, saved_id: int) -> None:
    with kb.db.writing() as session:
        result = session.execute(
            delete(SavedSearch).where(
                SavedSearch.id == saved_id, SavedSearch.owner_key == (owner_key or "")
            )
        )
        if result.rowcount == 0:
            raise NotFound("Diese gespeicherte Suche gibt es nicht.", "No such saved search.")
