"""What a guidance page shows: the banner, deadlines, FAQ, and "Was hat sich geändert".

Split from :mod:`kb.services.guidance` (editing and validity rules) to keep
both short. Views get plain data; nothing here is an ORM object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kb.errors import Forbidden, NotFound, Unauthorized
from kb.models import Item
from kb.services import deadlines, qa
from kb.services.access import Viewer, can_edit, can_view
from kb.services.context import Kb
from kb.services.guidance import GUIDANCE_KIND, Validity, validity
from kb.services.items import load_item
from kb.services.versions import PageDiff, diff_pages

#: How many added or changed lines the "Was ist neu" summary lists.
WHATS_NEW_LINES = 12


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    title: str
    due_on: dt.date
    note: str


@dataclass(frozen=True)
class GuidancePage:
    """The guidance part of an item page."""

    validity: Validity
    issuing_body: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    #: Markdown (the template renders it through the sanitising ``markdown`` filter).
    body: str
    deadlines: list[DeadlineRow]
    faq: list[qa.QARow]
    #: True when a predecessor exists that the viewer may see ("Was hat sich geändert").
    has_changes: bool
    editable: bool
    is_editor: bool


def page_data(session: Session, item: Item, viewer: Viewer, today: dt.date) -> GuidancePage:
    """The guidance section of ``item``'s page; the caller has checked the viewer may see it."""
    valid = validity(item, today, lambda other: can_view(viewer, other))
    return GuidancePage(
        validity=valid,
        issuing_body=item.issuing_body.name if item.issuing_body else "",
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        body=item.body,
        deadlines=[
            DeadlineRow(d.id, d.title, d.due_on, d.note)
            for d in deadlines.of_item(session, item.id)
        ],
        faq=qa.faq_rows(session, item.id, viewer),
        has_changes=valid.predecessor_id is not None,
        editable=can_edit(viewer, item),
        is_editor=viewer.is_editor,
    )


@dataclass(frozen=True)
class GuidanceChanges:
    """This edition compared with the one it supersedes."""

    item_id: int
    title: str
    predecessor_id: int
    predecessor_title: str
    #: Changed pages of the current files (empty if either edition has no text file).
    pages: list[PageDiff]
    unit: str
    #: The body (Markdown) compared as one section, if either edition has one.
    body: list[tuple[str, str]]
    #: "Was ist neu": the first added or changed lines, for the page and the handout.
    whats_new: list[str] = field(default_factory=list)
    #: The first lines the new edition dropped (the handout lists them as "entfällt").
    whats_removed: list[str] = field(default_factory=list)


def _current_pages(item: Item) -> tuple[dict[int, str], str]:
    current = next((f for f in item.files if f.is_current and f.pages), None)
    if current is None:
        return {}, "page"
    return {p.number: p.text for p in current.pages}, current.page_unit


def _tagged(lines: list[tuple[str, str]], wanted: str) -> list[str]:
    return [text.strip() for tag, text in lines if tag == wanted and text.strip()]


def changes(kb: Kb, item_id: int, viewer: Viewer) -> GuidanceChanges:
    """What changed from the edition ``item_id`` supersedes.

    Files are compared page by page (their current versions); without a file
    on both sides, the Markdown bodies are compared instead.

    :raises NotFound: the item is hidden, not guidance, has no predecessor, or the
        viewer may not see the predecessor.
    """
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        old = item.supersedes
        if item.kind != GUIDANCE_KIND or old is None or not can_view(viewer, old):
            raise NotFound(
                "Zu diesem Eintrag gibt es keine frühere Fassung.",
                "This item has no earlier edition.",
            )
        old = load_item(session, old.id, viewer)  # with files and pages
        new_pages, unit = _current_pages(item)
        old_pages, _ = _current_pages(old)
        pages = diff_pages(old_pages, new_pages) if new_pages and old_pages else []
        body: list[tuple[str, str]] = []
        if item.body.strip() or old.body.strip() or not pages:
            [section] = diff_pages({1: old.body}, {1: item.body}) or [PageDiff(1, [])]
            body = section.lines
        whats_new, removed = (
            _tagged(body, tag) + [line for p in pages for line in _tagged(p.lines, tag)]
            for tag in ("added", "removed")
        )
        return GuidanceChanges(
            item.id,
            item.title,
            old.id,
            old.title,
            pages,
            unit,
            body,
            whats_new[:WHATS_NEW_LINES],
            removed[:WHATS_NEW_LINES],
        )


@dataclass(frozen=True)
class GuidanceForm:
    """The values the guidance form shows (as text, so a re-shown bad input stays as typed)."""

    item_id: int
    title: str
    is_guidance: bool
    issuing_body: str = ""
    valid_from: str = ""
    valid_until: str = ""
    supersedes_id: int | None = None
    body: str = ""
    #: (title, date as ISO text, note) per deadline
    deadlines: list[tuple[str, str, str]] = field(default_factory=list)


def form_values(kb: Kb, item_id: int, viewer: Viewer) -> GuidanceForm:
    """The stored guidance fields of an item the viewer may edit.

    :raises NotFound / Unauthorized / Forbidden: hidden item; anonymous; not the owner or Redaktion.
    """
    with kb.db.reading() as session:
        item = load_item(session, item_id, viewer)
        if not can_edit(viewer, item):
            if viewer.is_anonymous:
                raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht bearbeiten.", "You may not edit this item."
            )
        return GuidanceForm(
            item.id,
            item.title,
            item.kind == GUIDANCE_KIND,
            item.issuing_body.name if item.issuing_body else "",
            item.valid_from.isoformat() if item.valid_from else "",
            item.valid_until.isoformat() if item.valid_until else "",
            item.supersedes_id,
            item.body,
            [(d.title, d.due_on.isoformat(), d.note) for d in deadlines.of_item(session, item.id)],
        )
