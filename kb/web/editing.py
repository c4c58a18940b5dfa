"""Editing an item's metadata and moving it through the workflow."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kb.errors import Forbidden, KbError, Unauthorized
from kb.models import ACCESS, KINDS, LICENCES
from kb.services import items as item_service
from kb.services import workflow
from kb.services.access import can_edit
from kb.services.reference import all_districts, all_events, all_programmes, all_topics
from kb.web import kb, viewer
from kb.web.forms import item_fields, placement_fields
from kb.web.i18n import error_text

bp = Blueprint("editing", __name__)


def _edit_from_form() -> workflow.ItemEdit:
    form = request.form
    return workflow.ItemEdit(
        **item_fields(form),
        **placement_fields(form),
        kind=form.get("kind", ""),
        access=form.get("access", "internal"),
        alt_texts=_alt_texts(),
    )


def _alt_texts() -> dict[int, str]:
    """``alt_file_<id>`` fields: the alternative text of each image file on the form."""
    texts = {}
    for key, value in request.form.items():
        number = key.removeprefix("alt_file_")
        if number != key and number.isascii() and number.isdigit() and len(number) < 10:
            texts[int(number)] = value
    return texts


def _check_editable(item_id: int) -> None:
    with kb().db.reading() as session:
        item = item_service.load_item(session, item_id, viewer())
        if not can_edit(viewer(), item):
            if viewer().is_anonymous:
                raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht bearbeiten.", "You may not edit this item."
            )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):  # type: ignore[no-untyped-def]
    _check_editable(item_id)
    error = None
    if request.method == "POST":
        try:
            workflow.update_item(kb(), item_id, _edit_from_form(), viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Änderungen sind gespeichert."))
            return redirect(url_for("pages.item", item_id=item_id))
    with kb().db.reading() as session:
        item = item_service.load_item(session, item_id, viewer())
        return render_template(
            "item_edit.html",
            item=item,
            kinds=KINDS,
            access_choices=ACCESS,
            licences=LICENCES,
            districts=_district_choices(item),
            events=all_events(kb()),
            topics=all_topics(kb()),
            programmes=all_programmes(kb()),
            error=error,
        ), (400 if error else 200)


def _district_choices(item):  # type: ignore[no-untyped-def]
    """The configured state's districts, plus those of another state the item names: a
    tag the form does not show would be dropped by saving it."""
    shown = all_districts(kb())
    known = {d.ags for d in shown}
    extra = [d for d in item.districts if d.ags not in known]
    return sorted(shown + extra, key=lambda d: d.name)


@bp.post("/items/<int:item_id>/state")
def change_state(item_id: int) -> Response:
    form = request.form
    workflow.change_state(
        kb(), item_id, form.get("target", "")[:20], viewer(), form.get("comment", "")
    )
    flash(_("Der Status ist geändert."))
    return redirect(url_for("pages.item", item_id=item_id))
