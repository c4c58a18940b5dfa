"""Render a Mappe: several items in one tagged PDF with a cover, a table of contents with page
numbers, PDF bookmarks per item (from the h1/h2/h3 structure) and running headers.

Takes plain data only: ``{"title", "introduction", "items": [item data …], "generated_at"}``
where each item is what :func:`kb.handouts.render.render_item_html` takes, plus
``"omitted_pages"`` (how many pages were left out by the per-item limit).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from kb.errors import ValidationError
from kb.handouts.pdf import html_to_pdf
from kb.handouts.render import (
    AUTHOR,
    LABELS,
    LANGUAGES,
    format_datetime,
    item_context,
    jinja_environment,
    paragraphs,
)

logger = logging.getLogger(__name__)

MAPPE_LABELS = {
    "de": {
        "toc": "Inhalt",
        "omitted": "Weitere %d Seiten stehen im Original (Link oben).",
        "empty": "Diese Mappe enthält keine Einträge, die Sie sehen dürfen.",
        "items": "Einträge",
    },
    "en": {
        "toc": "Contents",
        "omitted": "%d more pages are in the original (link above).",
        "empty": "This Mappe holds no entries you may see.",
        "items": "Entries",
    },
}


def render_mappe_html(data: dict[str, Any], *, templates_dir: Path, lang: str = "de") -> str:
    if lang not in LANGUAGES:
        raise ValidationError(f"Unbekannte Sprache: {lang}", f"Unknown language: {lang}")
    items = []
    for number, item in enumerate(data.get("items") or [], start=1):
        context = item_context(item, lang)
        context["anchor"] = f"eintrag-{number}"
        omitted = int(item.get("omitted_pages") or 0)
        context["omitted"] = MAPPE_LABELS[lang]["omitted"] % omitted if omitted else ""
        items.append(context)
    generated_at = data.get("generated_at") or datetime.datetime.now()
    template = jinja_environment(Path(templates_dir)).get_template("handouts/mappe.html")
    return template.render(
        lang=lang,
        t=LABELS[lang],
        m=MAPPE_LABELS[lang],
        author=AUTHOR,
        title=str(data.get("title") or ""),
        introduction=paragraphs(str(data.get("introduction") or "")),
        items=items,
        generated=LABELS[lang]["generated"] % format_datetime(generated_at, lang),
    )


def render_mappe_handout(
    data: dict[str, Any], *, templates_dir: Path, static_dir: Path, lang: str = "de"
) -> bytes:
    """The Mappe as a tagged (PDF/UA-1 variant) A4 PDF."""
    html = render_mappe_html(data, templates_dir=templates_dir, lang=lang)
    count = len(data.get("items") or [])
    return html_to_pdf(html, static_dir, f"Mappe {data.get('title')!r} with {count} items")
