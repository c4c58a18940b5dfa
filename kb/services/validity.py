"""Where a guidance sheet stands on a given day: current, upcoming, superseded or expired.

One function for the index (facet, ranking), the pages and the handouts, so they
never disagree. A successor supersedes only once it is published (or archived)
and its ``valid_from`` has come; until then the old edition stays current.
"""

from __future__ import annotations

import datetime as dt

from kb.models import Item

#: Status id -> German label (facet values and banners).
VALIDITY_LABELS: dict[str, str] = {
    "current": "gültig",
    "upcoming": "künftig gültig",
    "superseded": "ersetzt",
    "expired": "abgelaufen",
}
#: The search scales a guidance item's score by its status: see kb.search.query.RANK_FACTORS.

_RELEASED = ("published", "archived")


def is_guidance(item: Item) -> bool:
    return item.kind == "leitfaden"


def active_successor(item: Item, today: dt.date) -> Item | None:
    """The edition that replaces ``item`` as of ``today``, if any."""
    successor = item.superseded_by
    if successor is None or successor.state not in _RELEASED:
        return None
    if successor.valid_from is not None and successor.valid_from > today:
        return None
    return successor


def status(item: Item, today: dt.date) -> str | None:
    """The validity status of a guidance item on ``today``; None for other kinds.

    >>> import datetime as dt
    >>> item = Item(kind="leitfaden", valid_from=dt.date(2027, 1, 1))
    >>> status(item, dt.date(2026, 11, 25))
    'upcoming'
    """
    if not is_guidance(item):
        return None
    if active_successor(item, today) is not None:
        return "superseded"
    if item.valid_until is not None and item.valid_until < today:
        return "expired"
    if item.valid_from is not None and item.valid_from > today:
        return "upcoming"
    return "current"
