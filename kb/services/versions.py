"""File versions of an item: upload a corrected file, list the history, switch, compare.

A corrected file is a new FileVersion of the same item (a new yearly edition
of guidance is a new *item* that supersedes the old one — not this). Old
versions are kept with label, date and uploader; exactly one is current: it is
indexed, shown and handed out. "Was hat sich geändert" compares the text of
two versions page by page with :mod:`difflib`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.errors import Forbidden, NotFound
from kb.models import Item, User
from kb.services import audit, blobs
from kb.services.access import Viewer, can_edit
from kb.services.accounts import accounts_exist
from kb.services.alt_text import clean_alt, looks_like_image, missing_alt
from kb.services.context import Kb
from kb.services.indexing import append_index_log
from kb.services.items import UploadFile, clean_filename, load_item, queue_text, store_file

logger = logging.getLogger(__name__)


def may_edit(session: Session, viewer: Viewer, item: Item) -> bool:
    """Owner (Autor) or Redaktion; while no account exists (open mode) everyone."""
    return can_edit(viewer, item) or not accounts_exist(session)


def _editable(session: Session, item_id: int, viewer: Viewer) -> Item:
    item = load_item(session, item_id, viewer)
    if not may_edit(session, viewer, item):
        raise Forbidden(
            "Sie dürfen diesem Eintrag keine neue Version geben.",
            "You may not change this item's files.",
        )
    return item


def check_may_change(kb: Kb, item_id: int, viewer: Viewer) -> str:
    """:raises NotFound / Forbidden: before any bytes are read from the request.

    :return: the alt text of the current file (a corrected image keeps it unless given anew).
    """
    with kb.db.reading() as session:
        item = _editable(session, item_id, viewer)
        return next((f.alt_text for f in item.files if f.is_current), "")


def add_version(
    kb: Kb,
    item_id: int,
    upload: UploadFile,
    label: str,
    viewer: Viewer,
    require_alt: bool = False,
) -> int:
    """Store a corrected file as the item's new current version; the old ones stay.

    An image takes the alt text sent with it, else the current file's; with
    ``require_alt`` (web and API) an image with neither is refused.

    :return: the new file version's id.
    :raises NotFound / Forbidden: the viewer may not see / change the item.
    :raises KbError: no file, the file is too large, or an image has no alt text
        (nothing is kept).
    :raises BlobGone: the bytes were purged from the trash while being stored.
    """
    current_alt = check_may_change(kb, item_id, viewer)  # before storing any bytes
    alt = clean_alt(upload.alt_text) or current_alt
    if require_alt and not alt and looks_like_image(upload.stream):
        raise missing_alt(clean_filename(upload.filename or ""))
    stored = store_file(kb, upload)
    with kb.db.writing() as session:
        item = _editable(session, item_id, viewer)
        blobs.claim(kb, session, stored.blob.sha256)
        for old in item.files:
            old.is_current = False
        label = label.strip() or f"Version {len(item.files) + 1}"
        fv = stored.new_version(viewer, label, alt_text=alt)
        item.files.append(fv)
        session.flush()
        queue_text(session, item.id, fv, kb.config)
        append_index_log(session, item.id)  # the old version's pages leave the index now
        audit.record(session, "new_version", viewer, item.id, stored.name)
        version_id = fv.id
    kb.job_signal.set()
    logger.info("Item %s got version %s (%s)", item_id, version_id, stored.name)
    return version_id


def make_current(kb: Kb, item_id: int, version_id: int, viewer: Viewer) -> None:
    with kb.db.writing() as session:
        item = _editable(session, item_id, viewer)
        if not any(f.id == version_id for f in item.files):
            raise NotFound("Diese Version gibt es nicht.", "This version does not exist.")
        for fv in item.files:
            fv.is_current = fv.id == version_id
        append_index_log(session, item.id)
        audit.record(session, "version_current", viewer, item.id, f"Version {version_id}")
    kb.job_signal.set()


@dataclass(frozen=True)
class VersionRow:
    id: int
    label: str
    filename: str
    size: int
    uploaded_at: dt.datetime
    uploader: str
    is_current: bool


def history(session: Session, item: Item) -> list[VersionRow]:
    """All versions of an item, newest first, with the uploader's display name."""
    ids = {f.uploaded_by_id for f in item.files if f.uploaded_by_id}
    names = {}
    if ids:
        for u in session.scalars(select(User).where(User.id.in_(ids))):
            names[u.id] = u.display_name or u.username
    return [
        VersionRow(
            f.id,
            f.label or "Version 1",
            f.filename,
            f.size,
            f.uploaded_at,
            names.get(f.uploaded_by_id or 0, ""),
            f.is_current,
        )  # fmt: skip
        for f in sorted(item.files, key=lambda f: f.id, reverse=True)
    ]


@dataclass(frozen=True)
class PageDiff:
    number: int
    #: ("same" | "added" | "removed", line) in reading order; unchanged pages are left out.
    lines: list[tuple[str, str]]


@dataclass(frozen=True)
class Comparison:
    old: VersionRow
    new: VersionRow
    pages: list[PageDiff]
    unit: str


def compare(kb: Kb, item_id: int, old_id: int, new_id: int, viewer: Viewer) -> Comparison:
    """What changed from version ``old_id`` to ``new_id``, page by page (only changed pages)."""
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)  # with files and pages; NotFound if hidden
        versions = {f.id: f for f in item.files}
        if old_id not in versions or new_id not in versions:
            raise NotFound("Diese Version gibt es nicht.", "This version does not exist.")
        rows = {r.id: r for r in history(session, item)}
        old, new = versions[old_id], versions[new_id]
        old_pages = {p.number: p.text for p in old.pages}
        new_pages = {p.number: p.text for p in new.pages}
        return Comparison(
            rows[old_id], rows[new_id], diff_pages(old_pages, new_pages), new.page_unit
        )


def diff_pages(old_pages: dict[int, str], new_pages: dict[int, str]) -> list[PageDiff]:
    """Page number -> text, before and after: the changed pages only, line by line.

    Also used to compare a guidance sheet with the edition it supersedes.
    """
    pages = []
    for number in sorted(old_pages.keys() | new_pages.keys()):
        before, after = old_pages.get(number, ""), new_pages.get(number, "")
        if before != after:
            pages.append(PageDiff(number, _line_diff(before, after)))
    return pages


def _line_diff(before: str, after: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "  ":
            out.append(("same", text))
        elif tag == "- ":
            out.append(("removed", text))
        elif tag == "+ ":
            out.append(("added", text))
    return out
