"""PDF handouts of items: gather plain data, render once, cache by content hash.

Templates get plain data, never ORM objects. The cache key includes the
viewer's access level and the language, so a handout rendered for an editor
is never served to an anonymous visitor. WeasyPrint is imported only when a
handout is actually rendered (never before a server forks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kb.errors import ValidationError
from kb.models import ACCESS, KINDS, LICENCES, STATES, UNITS, Item
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.items import load_item
from kb.services.translation import label_translator

logger = logging.getLogger(__name__)

#: Pages of text one item handout prints at most; the rest is named, not reprinted.
ITEM_PAGES = 40
#: Default bound of the handout cache in MB (``KB_HANDOUT_CACHE_MB``); oldest go first.
CACHE_MB = 200


def _mime_label(mime: str, filename: str) -> str:
    suffix = Path(filename).suffix.lstrip(".").upper()
    return suffix or mime


def item_data(kb: Kb, item: Item, lang: str = "de") -> dict[str, Any]:
    """The plain data a handout template gets for ``item``.

    Labels (kind, access, state, licence, "Folie 3") are translated into ``lang`` here:
    the handouts stage gets them as plain strings and never imports Flask.
    """
    tr = label_translator(lang)
    current = [f for f in item.files if f.is_current]
    pages = [
        {"number": p.number, "label": f"{unit} {p.number}", "text": p.text}
        for f in current
        for unit in [tr(UNITS.get(f.page_unit, "Seite"))]
        for p in f.pages
        if p.text.strip()
    ]
    notes = [
        f"{f.filename}: {f.status_message_en if lang == 'en' else f.status_message_de}"
        for f in current
        if f.status == "failed"
    ]
    return {
        "title": item.title,
        "language": item.language,
        "kind_label": tr(KINDS.get(item.kind, item.kind)),
        "summary": item.summary,
        "event_title": item.event.title if item.event else None,
        "speakers": item.speakers,
        "organisation": item.organisation,
        "districts": [d.name for d in item.districts],
        "topics": [t.name for t in item.topics],
        "programme": item.programme,
        "date": item.date,
        "access_label": tr(ACCESS.get(item.access, item.access)),
        "state_label": tr(STATES.get(item.state, item.state)),
        "licence_label": tr(LICENCES.get(item.licence, "")) if item.licence else "",
        "url": f"{kb.base_url}/items/{item.id}",
        "files": [
            {
                "name": f.filename,
                "size": f.size,
                "mime_label": _mime_label(f.mime, f.filename),
                "sha256": f.sha256,
                "url": f"{kb.base_url}/items/{item.id}/files/{f.id}",
            }
            for f in current
        ],
        "pages": pages,
        "generated_at": dt.datetime.now().replace(microsecond=0),
        "extraction_notes": notes,
    }


def item_handout(kb: Kb, item_id: int, viewer: Viewer, lang: str = "de") -> tuple[bytes, str]:
    """Return the handout PDF of an item and a download name for it.

    Guidance (kind Leitfaden) gets the guidance handout: validity first, checklist,
    deadlines, what is new, FAQ (:mod:`kb.services.handout_kinds`).

    :raises NotFound: if the item does not exist or the viewer may not see it.
    """
    from kb.handouts import handout_cache_key, render_item_handout

    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        if item.kind == "leitfaden":
            from kb.services.handout_kinds import guidance_handout

            return guidance_handout(kb, item_id, viewer, lang)
        data = item_data(kb, item, lang)
    # A handout summarises: a 600-page PDF is not reprinted (README: "Handouts").
    data["omitted_pages"] = max(0, len(data["pages"]) - ITEM_PAGES)
    data["pages"] = data["pages"][:ITEM_PAGES]
    # The generation time must not defeat the cache: it is not part of the key.
    key = handout_cache_key(
        {**data, "generated_at": None}, lang, viewer.access_level, kb.templates_dir
    )
    cache = Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache" / f"{key}.pdf"
    name = f"Handout_{item_id}.pdf"
    cached = cached_pdf(cache)
    if cached is not None:
        return cached, name
    pdf = render_item_handout(
        data, templates_dir=kb.templates_dir, static_dir=kb.static_dir, lang=lang
    )
    store_pdf(cache, pdf, cache_mb(kb))
    logger.info("Rendered handout for item %s (%d bytes)", item_id, len(pdf))
    return pdf, name


def store_pdf(path: Path, data: bytes, limit_mb: float = CACHE_MB) -> None:
    """Store a rendered PDF in the cache, then keep the cache within ``limit_mb``.

    Every change to an item changes its cache key, so stale PDFs are never served; they
    are garbage that this bound removes, least recently used (by modification time, which
    :func:`cached_pdf` refreshes on every hit) first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    prune_cache(path.parent, int(limit_mb * 1024 * 1024), keep=path)


def prune_cache(folder: Path, limit_bytes: int, keep: Path | None = None) -> int:
    """Delete the least recently used PDFs until the folder holds at most ``limit_bytes``."""
    entries = []
    for pdf in folder.glob("*.pdf"):
        try:
            stat = pdf.stat()
        except FileNotFoundError:  # removed by another worker meanwhile
            continue
        entries.append((stat.st_mtime, stat.st_size, pdf))
    total = sum(size for _mtime, size, _pdf in entries)
    removed = 0
    for _mtime, size, pdf in sorted(entries, key=lambda e: e[0]):
        if total <= limit_bytes:
            break
        if pdf == keep:
            continue
        pdf.unlink(missing_ok=True)
        total -= size
        removed += 1
    if removed:
        logger.info("Handout cache: removed %d old PDFs", removed)
    return removed


def cached_pdf(path: Path) -> bytes | None:
    """A cached PDF, marked as just used (for the least-recently-used bound)."""
    try:
        data = path.read_bytes()
        os.utime(path)
    except FileNotFoundError:
        return None
    return data


def cache_mb(kb: Kb) -> float:
    return float(kb.config.get("KB_HANDOUT_CACHE_MB") or CACHE_MB)


def bundle_ids(item_ids: list[int]) -> list[int]:
    """The ids of a bundle request, duplicates dropped, order kept.

    :raises ValidationError: no ids, or more than the Mappe's limit (a bundle is printed in
        one request; :data:`kb.services.mappe.MAX_ITEMS`).
    """
    from kb.services.mappe import MAX_ITEMS

    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise ValidationError(
            "Bitte nennen Sie mindestens einen Eintrag (item_ids).",
            "Please name at least one item (item_ids).",
        )
    if len(ids) > MAX_ITEMS:
        raise ValidationError(
            f"Ein Handout fasst höchstens {MAX_ITEMS} Einträge; Sie haben {len(ids)} genannt.",
            f"A handout holds at most {MAX_ITEMS} items; you named {len(ids)}.",
        )
    return ids


def bundle_data(
    kb: Kb, title: str, intro: str, item_ids: list[int], viewer: Viewer, lang: str = "de"
) -> dict[str, Any]:
    """The plain data of a bundle (Mappe): each item page-limited (``PAGES_PER_ITEM``)."""
    from kb.services.mappe import PAGES_PER_ITEM

    if title == "Meine Mappe":  # the default title (kb.services.mappe), in the reader's language
        title = label_translator(lang)(title)
    items = []
    with kb.db.reading() as session:
        for item_id in item_ids:
            data = item_data(kb, load_item(session, item_id, viewer), lang)
            data["omitted_pages"] = max(0, len(data["pages"]) - PAGES_PER_ITEM)
            data["pages"] = data["pages"][:PAGES_PER_ITEM]
            data.pop("generated_at")
            items.append(data)
    return {"title": title, "introduction": intro, "items": items}


def bundle_cache_path(kb: Kb, bundle: dict[str, Any], viewer: Viewer, lang: str) -> Path:
    """Where the rendered bundle is (or will be) cached: a hash of all it shows."""
    from kb.handouts import handout_cache_key

    key = handout_cache_key({"mappe": bundle}, lang, viewer.access_level, kb.templates_dir)
    return Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache" / f"mappe-{key}.pdf"


def render_bundle(
    kb: Kb, bundle: dict[str, Any], cache: Path, lang: str = "de", progress: Any = None
) -> bytes:
    """Render a bundle and store it at ``cache``; ``progress(pages_laid_out)`` if given."""
    from kb.handouts.mappe import render_mappe_handout

    with _layout_progress(progress):
        pdf = render_mappe_handout(
            {**bundle, "generated_at": dt.datetime.now().replace(microsecond=0)},
            templates_dir=kb.templates_dir,
            static_dir=kb.static_dir,
            lang=lang,
        )
    store_pdf(cache, pdf, cache_mb(kb))
    return pdf


@contextlib.contextmanager
def _layout_progress(progress: Any) -> Iterator[None]:
    """Report WeasyPrint's "Creating layout - Page N" log lines as progress (pages laid out)."""
    if progress is None:
        yield
        return
    handler = _ProgressHandler(progress)
    target = logging.getLogger("weasyprint.progress")
    old_level = target.level
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    try:
        yield
    finally:
        target.removeHandler(handler)
        target.setLevel(old_level)


_LAYOUT_PAGE = re.compile(r"Creating layout - Page (\d+)")


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Any) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.best = 0

    def emit(self, record: logging.LogRecord) -> None:
        # "Step 5 - Creating layout - Page 3", or "… Page 3 (up-to-date)" on a second pass
        # WeasyPrint lays out again for page counters ("Repagination #2", from page 1 again):
        # report only growth, so a progress bar never goes back.
        match = _LAYOUT_PAGE.search(record.getMessage())
        if match and int(match.group(1)) > self.best:
            self.best = int(match.group(1))
            self.progress(self.best)


def bundle_handout(
    kb: Kb, title: str, intro: str, item_ids: list[int], viewer: Viewer, lang: str = "de"
) -> tuple[bytes, str]:
    """Several items in one PDF (the Mappe, and ``kb handout ID ID …``), rendered now."""
    bundle = bundle_data(kb, title, intro, item_ids, viewer, lang)
    cache = bundle_cache_path(kb, bundle, viewer, lang)
    cached = cached_pdf(cache)
    if cached is not None:
        return cached, "Mappe.pdf"
    return render_bundle(kb, bundle, cache, lang), "Mappe.pdf"


def mappe_zip(kb: Kb, owner_key: str | None, viewer: Viewer) -> Path:
    """The original files of the Mappe's items in a ZIP (a temporary file the caller removes)."""
    import zipfile

    from kb.services import mappe

    _, _, ids = mappe.printable_item_ids(kb, owner_key, viewer)
    folder = Path(kb.config["KB_INSTANCE_DIR"]) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="kb-mappe-", suffix=".zip", dir=folder)
    os.close(fd)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        folders: dict[int, str] = {}
        for item, fv in mappe.files_of(kb, ids, viewer):
            folder = folders.setdefault(item.id, f"{len(folders) + 1:02d}_{_safe(item.title)}")
            archive.write(kb.store.path(fv.sha256), f"{folder}/{_safe(fv.filename)}")
    return Path(tmp)


def _safe(name: str) -> str:
    """A file or folder name without path separators or control characters."""
    cleaned = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|')
    return cleaned.strip(" .")[:80] or "Datei"
