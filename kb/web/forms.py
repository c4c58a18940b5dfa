"""Reading an item's descriptive fields from a submitted form, the same way everywhere.

The upload form and the edit form share these fields; each caps a value at its
column's size, so an over-long field is cut rather than refused by the database.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict


def _names(values: list[str]) -> list[str]:
    """Checked boxes (topic slugs) or typed text ("A, B"): each name once, at most 20."""
    names = [n.strip() for value in values for n in value[:2000].split(",") if n.strip()]
    return list(dict.fromkeys(names))[:20]


def item_fields(form: MultiDict[str, str]) -> dict[str, Any]:
    """Title, summary, people, programme, topics, tags, districts, licence and sharing consent.

    Topics come as checked vocabulary boxes, or as typed names from older forms (a name
    not in the vocabulary becomes a tag in the service); tags are typed, comma-separated.
    """
    return {
        "title": form.get("title", "")[:500],
        "summary": form.get("summary", "")[:5000],
        "organisation": form.get("organisation", "")[:300],
        "speakers": form.get("speakers", "")[:500],
        "programme": form.get("programme", "")[:120],
        "topics": _names(form.getlist("topics")),
        "tags": _names(form.getlist("tags")),
        "districts": form.getlist("districts")[:14],
        "licence": form.get("licence", ""),
        "participants_only": form.get("participants_only") == "1",
    }


def placement_fields(form: MultiDict[str, str]) -> dict[str, Any]:
    """The edit form's event (a slug; empty: none) and date (as typed; the service parses it).

    Kept apart from :func:`item_fields`: the upload form names its event differently
    (``event_slug``) and sets no date.
    """
    return {"event": form.get("event", "")[:80], "date": form.get("date", "")[:40]}
