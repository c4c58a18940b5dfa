"""Guidance (Leitfaden) on funding procedures: validity, editions, overview.

A new yearly edition of a guidance sheet is a new item that *supersedes* the
old one (``Item.supersedes_id``, unique: an edition has at most one
successor). Whether a sheet applies is a pure function of its dates, its
successor and today (:func:`validity`), evaluated at request time so that a
banner turns from "Gilt ab" to "Gültig seit" on the day without any job.

Rules (also in docs/architecture.md):

- A successor counts only once it is in force: published (or archived) and
  with no ``valid_from`` or one that has come. A draft successor changes
  nothing; a published one that starts later leaves the old sheet current with
  the note "Wird ab … ersetzt durch …".
- Superseded wins over expired and upcoming.
- A successor the viewer may not see still makes the old sheet superseded
  (the sheet no longer applies, whoever reads it), but its title and link are
  not shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.errors import Forbidden, ValidationError
from kb.models import Item
from kb.services import audit, deadlines
from kb.services.access import Viewer, can_edit, can_view
from kb.services.context import Kb
from kb.services.dates import german
from kb.services.indexing import append_index_log
from kb.services.items import load_item
from kb.services.people import organisation_by_name
from kb.services.validity import VALIDITY_LABELS
from kb.services.validity import status as validity_status

logger = logging.getLogger(__name__)

GUIDANCE_KIND = "leitfaden"
#: Workflow states in which an edition applies (a draft successor replaces nothing yet).
IN_FORCE_STATES = ("published", "archived")
MAX_BODY = 100_000

#: German label of each validity status (lists, search facets).
STATUS_LABELS = VALIDITY_LABELS


@dataclass(frozen=True)
class Validity:
    """Whether a guidance sheet applies on a given day, and the banner that says so."""

    status: str
    #: The banner's main line: "Gültig seit 01.01.2026", "Gilt ab 01.01.2027", …
    banner: str
    #: A second line, e.g. "Wird ab 01.01.2027 ersetzt durch: …" (may be empty).
    note: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    #: The successor and predecessor, only if the viewer may see them.
    successor_id: int | None = None
    successor_title: str = ""
    successor_from: dt.date | None = None
    predecessor_id: int | None = None
    predecessor_title: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def validity(item: Item, today: dt.date, may_see: Callable[[Item], bool] | None = None) -> Validity:
    """The validity of ``item`` on ``today`` (pure: reads only the item and its neighbours).

    :param may_see: whether the viewer may see a neighbouring edition; None: all visible
        (the index, Redaktion). Hidden neighbours are not named.
    """
    seen = may_see or (lambda _item: True)
    succ, pred = item.superseded_by, item.supersedes
    succ_visible = succ is not None and seen(succ)
    pred_visible = pred is not None and seen(pred)
    common = {
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "successor_id": succ.id if succ is not None and succ_visible else None,
        "successor_title": succ.title if succ is not None and succ_visible else "",
        "successor_from": succ.valid_from if succ is not None and succ_visible else None,
        "predecessor_id": pred.id if pred is not None and pred_visible else None,
        "predecessor_title": pred.title if pred is not None and pred_visible else "",
    }
    state = validity_status(item, today)  # one rule for pages, index and handouts
    if state == "superseded":
        assert succ is not None
        banner = "Ersetzt durch eine neuere Fassung"
        if succ_visible:
            banner = f"Ersetzt durch: {succ.title}"
        return Validity("superseded", banner, **common)  # type: ignore[arg-type]
    note = ""
    if (
        succ is not None
        and succ_visible
        and succ.state in IN_FORCE_STATES
        and succ.valid_from is not None
    ):
        note = f"Wird ab {german(succ.valid_from)} ersetzt durch: {succ.title}"
    if state == "expired":
        assert item.valid_until is not None
        status, banner = "expired", f"Abgelaufen am {german(item.valid_until)}"
    elif state == "upcoming":
        assert item.valid_from is not None
        status, banner = "upcoming", f"Gilt ab {german(item.valid_from)}"
    else:
        status = "current"
        banner = f"Gültig seit {german(item.valid_from)}" if item.valid_from else "Gültig"
        if item.valid_until is not None:
            banner += f", bis einschließlich {german(item.valid_until)}"
    return Validity(status, banner, note, **common)  # type: ignore[arg-type]


@dataclass
class GuidanceEdit:
    """What the guidance form changes (the general fields stay with the item edit form)."""

    #: The issuing body's name (or short name); created as an organisation on first use.
    issuing_body: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    supersedes_id: int | None = None
    #: Markdown; task lists ("- [ ] …") are the checklist.
    body: str = ""
    #: When given, the item's deadlines are replaced by these rows in the same transaction.
    deadlines: list[deadlines.DeadlineInput] | None = field(default=None)


def _not_found_guidance(item_id: int) -> ValidationError:
    # The same words whether the item does not exist or is hidden from the viewer.
    return ValidationError(
        f"Einen Leitfaden Nr. {item_id} gibt es nicht.", f"There is no guidance no. {item_id}."
    )


def require_guidance(item: Item) -> None:
    """:raises ValidationError: ``item`` is not of the kind Leitfaden."""
    if item.kind != GUIDANCE_KIND:
        raise ValidationError(
            "Gültigkeit, Nachfolge und Fristen gibt es nur für Einträge der Art „Leitfaden“. "
            "Bitte ändern Sie zuerst die Art unter „Angaben bearbeiten“.",
            "Validity, editions and deadlines exist only for items of the kind guidance.",
        )


def _check_predecessor(session: Session, item: Item, target_id: int, viewer: Viewer) -> Item:
    """The item ``item`` may supersede, or a clear reason why not."""
    if target_id == item.id:
        raise ValidationError(
            "Ein Leitfaden kann sich nicht selbst ersetzen.", "Guidance cannot supersede itself."
        )
    target = session.get(Item, target_id)
    if target is None or not can_view(viewer, target):
        raise _not_found_guidance(target_id)
    if target.kind != GUIDANCE_KIND:
        raise ValidationError(
            f"„{target.title}“ ist kein Leitfaden; ersetzt werden können nur Leitfäden.",
            f"'{target.title}' is not guidance; only guidance can be superseded.",
        )
    other = target.superseded_by
    if other is not None and other.id != item.id:
        named = f"„{other.title}“" if can_view(viewer, other) else "einen anderen Leitfaden"
        raise ValidationError(
            f"„{target.title}“ wird bereits durch {named} ersetzt. Eine Fassung kann nur "
            "einen Nachfolger haben.",
            f"'{target.title}' is already superseded by another edition.",
        )
    seen: set[int] = set()
    step: Item | None = target
    while step is not None and step.id not in seen:
        if step.id == item.id:
            raise ValidationError(
                f"„{target.title}“ ersetzt bereits (direkt oder über frühere Fassungen) diesen "
                "Leitfaden. Die Nachfolge darf keinen Kreis bilden.",
                "Editions may not form a cycle.",
            )
        seen.add(step.id)
        step = step.supersedes
    return target


def _validate(edit: GuidanceEdit) -> None:
    if edit.valid_from and edit.valid_until and edit.valid_until < edit.valid_from:
        raise ValidationError(
            f"„Gültig bis“ ({german(edit.valid_until)}) liegt vor „Gültig ab“ "
            f"({german(edit.valid_from)}).",
            "'Valid until' is before 'valid from'.",
        )
    if len(edit.body) > MAX_BODY:
        raise ValidationError(
            f"Der Text ist zu lang (höchstens {MAX_BODY:,} Zeichen).".replace(",", "."),
            f"The text is too long (at most {MAX_BODY} characters).",
        )


def set_guidance(kb: Kb, item_id: int, edit: GuidanceEdit, viewer: Viewer) -> None:
    """Set the guidance fields (and deadlines) of ``item_id`` in one transaction.

    The item, its new predecessor and the predecessor it had before are
    re-indexed: whether each is "superseded" may have changed.

    :raises NotFound: the viewer may not see the item.
    :raises Forbidden: the viewer may see but not edit it.
    :raises ValidationError: dates, predecessor or deadlines are wrong (nothing is written).
    """
    _validate(edit)
    rows = deadlines.validate_rows(edit.deadlines) if edit.deadlines is not None else None
    with kb.db.writing() as session:
        item = load_item(session, item_id, viewer)
        if not can_edit(viewer, item):
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht bearbeiten.", "You may not edit this item."
            )
        require_guidance(item)
        before = item.supersedes_id
        target = None
        if edit.supersedes_id is not None:
            target = _check_predecessor(session, item, edit.supersedes_id, viewer)
        item.issuing_body = organisation_by_name(session, edit.issuing_body)
        item.valid_from, item.valid_until = edit.valid_from, edit.valid_until
        item.supersedes = target
        item.body = edit.body.replace("\r\n", "\n")
        if rows is not None:
            deadlines.replace_in_session(session, item, rows)
        session.flush()
        for changed in {item.id, before, edit.supersedes_id} - {None}:
            append_index_log(session, changed)  # type: ignore[arg-type]
        audit.record(session, "guidance_edit", viewer, item.id)
    kb.job_signal.set()
    logger.info("Guidance %s: supersedes %s (before %s)", item_id, edit.supersedes_id, before)


@dataclass(frozen=True)
class GuidanceRow:
    id: int
    title: str
    issuing_body: str
    validity: Validity


@dataclass(frozen=True)
class Overview:
    current: list[GuidanceRow]
    upcoming: list[GuidanceRow]
    #: Superseded and expired editions (still readable, still findable).
    old: list[GuidanceRow]


def _guidance_items(session: Session) -> list[Item]:
    return list(
        session.scalars(
            select(Item)
            .where(Item.kind == GUIDANCE_KIND, Item.state.in_(IN_FORCE_STATES))
            .options(
                selectinload(Item.superseded_by),
                selectinload(Item.supersedes),
                selectinload(Item.issuing_body),
            )
            .order_by(Item.title)
        )
    )


def guidance_overview(kb: Kb, viewer: Viewer, today: dt.date) -> Overview:
    """All published guidance the viewer may see, by validity on ``today``."""
    with kb.db.reading() as session:

        def may_see(other: Item) -> bool:
            return can_view(viewer, other)

        rows = [
            GuidanceRow(
                item.id,
                item.title,
                item.issuing_body.name if item.issuing_body else "",
                validity(item, today, may_see),
            )
            for item in _guidance_items(session)
            if may_see(item)
        ]
    upcoming = [r for r in rows if r.validity.status == "upcoming"]
    old = [r for r in rows if r.validity.status in ("superseded", "expired")]
    far = dt.date.max
    upcoming.sort(key=lambda r: (r.validity.valid_from or far, r.title))
    old.sort(key=lambda r: r.validity.valid_until or dt.date.min, reverse=True)
    return Overview([r for r in rows if r.validity.status == "current"], upcoming, old)


def choices(kb: Kb, viewer: Viewer, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """(id, title) of every guidance item the viewer may see, for "ersetzt" and Q&A forms."""
    with kb.db.reading() as session:
        items = session.scalars(
            select(Item).where(Item.kind == GUIDANCE_KIND).order_by(Item.title, Item.id)
        )
        return [(i.id, i.title) for i in items if i.id != exclude_id and can_view(viewer, i)]
