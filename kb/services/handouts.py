"""PDF handouts of items: gather plain data, render once, cache by content hash.

Templates get plain data, never ORM objects. The cache key includes the
viewer's access level and the language, so a handout rendered for an editor
is never served to an anonymous visitor. WeasyPrint is imported only when a
handout is actually rendered (never before a server forks).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from kb.models import ACCESS, KINDS, LICENCES, STATES, UNITS, Item
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.items import load_item

logger = logging.getLogger(__name__)


def _mime_label(mime: str, filename: str) -> str:
    suffix = Path(filename).suffix.lstrip(".").upper()
    return suffix or mime


def item_data(kb: Kb, item: Item) -> dict[str, Any]:
    """The plain data a handout template gets for ``item``."""
    current = [f for f in item.files if f.is_current]
    pages = [
        {
            "number": p.number,
            "label": f"{UNITS.get(f.page_unit, 'Seite')} {p.number}",
            "text": p.text,
        }
        for f in current
        for p in f.pages
        if p.text.strip()
    ]
    notes = [f"{f.filename}: {f.status_message_de}" for f in current if f.status == "failed"]
    return {
        "title": item.title,
        "kind_label": KINDS.get(item.kind, item.kind),
        "summary": item.summary,
        "event_title": item.event.title if item.event else None,
        "date": item.date,
        "access_label": ACCESS.get(item.access, item.access),
        "state_label": STATES.get(item.state, item.state),
        "licence_label": LICENCES.get(item.licence, "") if item.licence else "",
        "url": f"{kb.base_url}/items/{item.id}",
        "files": [
            {
                "name": f.filename,
                "size": f.size,
                "mime_label": _mime_label(f.mime, f.filename),
                "sha256": f.sha256,
            }
            for f in current
        ],
        "pages": pages,
        "generated_at": dt.datetime.now().replace(microsecond=0),
        "extraction_notes": notes,
    }


def item_handout(kb: Kb, item_id: int, viewer: Viewer, lang: str = "de") -> tuple[bytes, str]:
    """Return the handout PDF of an item and a download name for it.

    :raises NotFound: if the item does not exist or the viewer may not see it.
    """
    from kb.handouts import handout_cache_key, render_item_handout

    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        data = item_data(kb, item)
    # The generation time must not defeat the cache: it is not part of the key.
    key = handout_cache_key({**data, "generated_at": None}, lang, viewer.access_level)
    cache = Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache" / f"{key}.pdf"
    name = f"Handout_{item_id}.pdf"
    if cache.is_file():
        return cache.read_bytes(), name
    pdf = render_item_handout(
        data, templates_dir=kb.templates_dir, static_dir=kb.static_dir, lang=lang
    )
    _write_atomic(cache, pdf)
    logger.info("Rendered handout for item %s (%d bytes)", item_id, len(pdf))
    return pdf, name


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
