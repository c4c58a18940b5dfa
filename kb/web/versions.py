"""File versions on the item page: upload a corrected file, make one current, compare two;
and the page images of the preview."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kb.errors import ValidationError
from kb.services import previews, versions
from kb.services.items import UploadFile
from kb.web import kb, viewer

bp = Blueprint("versions", __name__)


@bp.post("/items/<int:item_id>/versions")
def upload(item_id: int) -> Response:
    versions.check_may_change(kb(), item_id, viewer())  # 404/403 before looking at the file
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationError("Bitte wählen Sie eine Datei aus.", "Please choose a file.")
    upload = UploadFile(file.filename, file.stream, request.form.get("alt", ""))
    label = request.form.get("label", "")[:200]
    versions.add_version(kb(), item_id, upload, label, viewer(), require_alt=True)
    flash(_("Die neue Version ist gespeichert; ihr Text wird gelesen."))
    return redirect(url_for("pages.item", item_id=item_id) + "#versions-h")


@bp.post("/items/<int:item_id>/versions/<int:version_id>/current")
def make_current(item_id: int, version_id: int) -> Response:
    versions.make_current(kb(), item_id, version_id, viewer())
    flash(_("Diese Version ist jetzt die aktuelle."))
    return redirect(url_for("pages.item", item_id=item_id) + "#versions-h")


@bp.get("/items/<int:item_id>/files/<int:file_id>/pages/<int:number>.png")
def page_image(item_id: int, file_id: int, number: int) -> Response:
    """One page image of the preview, with the same access check as the download."""
    path = previews.page_image(kb(), item_id, file_id, number, viewer())
    response = send_file(path, mimetype="image/png", max_age=3600)
    # Only the browser may keep it: a shared proxy must never serve an internal slide.
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.get("/items/<int:item_id>/versions/<int:old_id>/diff/<int:new_id>")
def diff(item_id: int, old_id: int, new_id: int) -> str:
    comparison = versions.compare(kb(), item_id, old_id, new_id, viewer())
    return render_template("version_diff.html", item_id=item_id, c=comparison)
