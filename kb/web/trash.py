"""Deleting an item (to the trash, after a confirmation) and the Redaktion's trash page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kb.errors import Forbidden, Unauthorized
from kb.services import items as item_service
from kb.services import trash
from kb.services.versions import may_edit
from kb.web import kb, viewer
from kb.web.admin import require_role

bp = Blueprint("trash", __name__)


@bp.get("/items/<int:item_id>/delete")
def confirm_delete(item_id: int) -> ResponseReturnValue:
    """Ask first: the page names the item and how long it stays restorable."""
    with kb().db.reading() as session:
        item = item_service.load_item(session, item_id, viewer())
        if not may_edit(session, viewer(), item):
            if viewer().is_anonymous:
                raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
            raise Forbidden(
                "Sie dürfen diesen Eintrag nicht löschen.", "You may not delete this item."
            )
        return render_template(
            "item_delete.html", item_id=item.id, title=item.title, days=trash.trash_days(kb())
        )


@bp.post("/items/<int:item_id>/delete")
def delete(item_id: int) -> ResponseReturnValue:
    if viewer().is_anonymous:
        with kb().db.reading() as session:
            item = item_service.load_item(session, item_id, viewer())  # 404 if hidden
            if not may_edit(session, viewer(), item):
                raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
    trash.delete_item(kb(), item_id, viewer())
    flash(
        _(
            "Der Eintrag liegt jetzt im Papierkorb. Die Redaktion kann ihn "
            "%(days)s Tage lang wiederherstellen.",
            days=trash.trash_days(kb()),
        )
    )
    return redirect(url_for("pages.home"))


@bp.get("/admin/trash")
def index() -> ResponseReturnValue:
    require_role("redaktion")
    return render_template(
        "admin/trash.html", rows=trash.list_trash(kb(), viewer()), days=trash.trash_days(kb())
    )


@bp.post("/admin/trash/<int:item_id>/restore")
def restore(item_id: int) -> ResponseReturnValue:
    require_role("redaktion")
    trash.restore_item(kb(), item_id, viewer())
    flash(_("Der Eintrag ist wiederhergestellt."))
    return redirect(url_for("pages.item", item_id=item_id))
