"""Reading an item's descriptive fields from a submitted form, the same way everywhere.

The upload form and the edit form share these fields; each caps a value at its
column's size, so an over-long field is cut rather than refused by the database.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict


def item_fields(form: MultiDict[str, str]) -> dict[str, Any]:
    """Title, summary, people, programme, topics, districts, licence and sharing consent."""
    return {
        "title": form.get("title", "")[:500],
        "summary": form.get("summary", "")[:5000],
        "organisation": form.get("organisation", "")[:300],
        "speakers": form.get("speakers", "")[:500],
        "programme": form.get("programme", "")[:120],
        "topics": [t for t in form.get("topics", "").split(",") if t.strip()][:20],
        "districts": form.getlist("districts")[:14],
        "licence": form.get("licence", ""),
        "participants_only": form.get("participants_only") == "1",
    }
