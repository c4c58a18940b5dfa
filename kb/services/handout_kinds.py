"""Event and guidance handouts: gather what the viewer may see as plain data, render, cache.

The same rules as the pages: the event handout is built from
:func:`kb.services.event_pages.event_page` (items the viewer may not see are not in it),
the guidance handout from the guidance page's data, its "Was hat sich geändert"
comparison and its FAQ. PDFs are cached like item handouts, by a hash of all the data,
the viewer's access level and the language (:mod:`kb.services.handouts`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from kb.errors import NotFound
from kb.models import KINDS, LICENCES, UNITS
from kb.services import event_pages, guidance_pages, qa
from kb.services.access import Viewer, can_view
from kb.services.context import Kb
from kb.services.handouts import cache_mb, cached_pdf, item_data, store_pdf
from kb.services.items import load_item
from kb.services.markdown import render_markdown
from kb.services.translation import label_translator

logger = logging.getLogger(__name__)

#: Pages of a guidance sheet's own text the handout reprints (the checklist comes first).
GUIDANCE_PAGES = 20
TALK_KINDS = ("impulsvortrag", "praesentation")


def _lines(text: str, limit: int = 3) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:limit]


def _talk(
    kb: Kb, session: Any, view: event_pages.ItemView, viewer: Viewer, lang: str
) -> dict[str, Any]:
    tr = label_translator(lang)
    item = load_item(session, view.id, viewer)
    slides = [
        {"label": f"{unit} {p.number}", "lines": _lines(p.text)}
        for f in item.files
        if f.is_current
        for unit in [tr(UNITS.get(f.page_unit, "Seite"))]
        for p in f.pages
        if p.text.strip()
    ]
    return {
        "anchor": f"beitrag-{item.id}",
        "title": item.title,
        "language": item.language,
        "kind_label": tr(KINDS.get(item.kind, item.kind)),
        # Each deck's licence, as on the item handout: may it be passed on?
        "licence_label": tr(LICENCES.get(item.licence, "")) if item.licence else "",
        "speakers": item.speakers,
        "organisation": item.organisation,
        "summary": item.summary,
        "url": f"{kb.base_url}/items/{item.id}",
        "slides": slides,
    }


def event_data(kb: Kb, slug: str, viewer: Viewer, lang: str = "de") -> dict[str, Any]:
    """The plain data of an event handout (see :mod:`kb.handouts.event`), labels in ``lang``.

    :raises NotFound: no such event, or one the viewer may not see.
    """
    page = event_pages.event_page(kb, slug, viewer, kb.today())
    linked = [entry.item for entry in page.programme if entry.item is not None]
    extra_talks = [m for m in page.materials if m.kind in TALK_KINDS]
    talk_views = list({v.id: v for v in linked + extra_talks}.values())
    with kb.db.reading() as session:
        talks = [_talk(kb, session, view, viewer, lang) for view in talk_views]
    anchors = {t["url"]: t["anchor"] for t in talks}
    materials = [
        {
            "title": view.title,
            "kind_label": label_translator(lang)(view.kind_label),
            "url": f"{kb.base_url}/items/{view.id}",
            "files": [{"name": f.filename, "size": f.size} for f in view.files],
        }
        for view in page.all_items
    ]
    return {
        "title": page.title,
        "series_title": page.series_title or "",
        "number": page.number,
        "starts_on": page.starts_on,
        "ends_on": page.ends_on,
        "city": page.city,
        "venue": page.venue,
        "host_district": page.host_district_name or "",
        "description": page.description,
        "url": f"{kb.base_url}/events/{page.slug}",
        "programme": [
            {
                "starts_at": entry.starts_at,
                "ends_at": entry.ends_at,
                "title": entry.title,
                "speakers": ", ".join(s.name for s in entry.speakers),
                "talk_anchor": anchors.get(f"{kb.base_url}/items/{entry.item.id}")
                if entry.item
                else None,
            }
            for entry in page.programme
        ],
        "talks": talks,
        "materials": materials,
    }


def guidance_data(kb: Kb, item_id: int, viewer: Viewer, lang: str = "de") -> dict[str, Any]:
    """The plain data of a guidance handout (see :mod:`kb.handouts.guidance`), in ``lang``.

    :raises NotFound: no such item, one the viewer may not see, or not guidance.
    """
    today = kb.today()
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        if item.kind != "leitfaden":
            raise NotFound("Dieser Eintrag ist kein Leitfaden.", "This item is not guidance.")
        page = guidance_pages.page_data(session, item, viewer, today)
        base = item_data(kb, item, lang)
        predecessor = (
            item.supersedes if item.supersedes and can_view(viewer, item.supersedes) else None
        )
    valid = page.validity
    tr = label_translator(lang)
    whats_new: list[dict[str, str]] = []
    if predecessor is not None:
        changed = guidance_pages.changes(kb, item_id, viewer)
        whats_new = [{"change": "added", "text": line} for line in changed.whats_new]
        whats_new += [{"change": "removed", "text": line} for line in changed.whats_removed]
    return {
        "title": base["title"],
        "issuing_body": page.issuing_body,
        "programme": item.programme,
        "valid_from": page.valid_from,
        "valid_until": page.valid_until,
        "status": valid.status,
        "banner": " – ".join(tr(part) for part in (valid.banner, valid.note) if part),
        "url": base["url"],
        "summary": base["summary"],
        "successor": _neighbour(kb, valid.successor_id, valid.successor_title),
        "predecessor": _neighbour(kb, valid.predecessor_id, valid.predecessor_title),
        "body_html": render_markdown(page.body) if page.body.strip() else "",
        "deadlines": [
            {"due_on": d.due_on, "title": d.title, "note": d.note} for d in page.deadlines
        ],
        "whats_new": whats_new,
        "faq": [_faq(row) for row in page.faq],
        "pages": base["pages"][:GUIDANCE_PAGES],
        "omitted_pages": max(0, len(base["pages"]) - GUIDANCE_PAGES),
    }


def _neighbour(kb: Kb, item_id: int | None, title: str) -> dict[str, str] | None:
    if item_id is None:
        return None
    return {"title": title, "url": f"{kb.base_url}/items/{item_id}"}


def _faq(row: qa.QARow) -> dict[str, Any]:
    return {
        "question": row.question,
        "answer": row.answer,
        "answering_body": row.answering_body,
        "asked_on": row.asked_on,
        "event_title": row.event_title,
    }


def _render(kb: Kb, kind: str, data: dict[str, Any], viewer: Viewer, lang: str) -> bytes:
    """Render (or take from the cache) one handout of ``kind`` ("event" or "guidance")."""
    from kb.handouts import handout_cache_key
    from kb.handouts.event import render_event_handout
    from kb.handouts.guidance import render_guidance_handout

    key = handout_cache_key({kind: data}, lang, viewer.access_level, kb.templates_dir)
    cache = Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache" / f"{kind}-{key}.pdf"
    cached = cached_pdf(cache)
    if cached is not None:
        return cached
    render = render_event_handout if kind == "event" else render_guidance_handout
    stamped = {**data, "generated_at": dt.datetime.now().replace(microsecond=0)}
    pdf = render(stamped, templates_dir=kb.templates_dir, static_dir=kb.static_dir, lang=lang)
    store_pdf(cache, pdf, cache_mb(kb))
    logger.info("Rendered %s handout %r (%d bytes)", kind, data.get("title"), len(pdf))
    return pdf


def event_handout(kb: Kb, slug: str, viewer: Viewer, lang: str = "de") -> tuple[bytes, str]:
    """The event handout PDF and a download name."""
    pdf = _render(kb, "event", event_data(kb, slug, viewer, lang), viewer, lang)
    return pdf, f"Veranstaltung_{slug}.pdf"


def guidance_handout(kb: Kb, item_id: int, viewer: Viewer, lang: str = "de") -> tuple[bytes, str]:
    """The guidance handout PDF and a download name."""
    pdf = _render(kb, "guidance", guidance_data(kb, item_id, viewer, lang), viewer, lang)
    return pdf, f"Leitfaden_{item_id}.pdf"
