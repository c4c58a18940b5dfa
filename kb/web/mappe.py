"""The Mappe page: collect, order, title, and download as one PDF or a ZIP of the originals."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from kb.services import handouts as handout_service
from kb.services import mappe, mappe_jobs
from kb.web import kb, safe_next, viewer
from kb.web.discovery import owner_key
from kb.web.i18n import ui_lang

bp = Blueprint("mappe", __name__)


@bp.app_context_processor
def mappe_count() -> dict[str, int]:
    """The number in the navigation's "Mappe (3)" (0 when the database is away: error pages)."""
    try:
        return {"mappe_count": mappe.count(kb(), owner_key())}
    except SQLAlchemyError:
        return {"mappe_count": 0}


@bp.get("/mappe")
def show() -> str:
    current = mappe.view(kb(), owner_key(), viewer())
    return render_template("mappe.html", mappe=current, limits=mappe)


@bp.post("/mappe")
def update() -> Response:
    form = request.form
    mappe.update(kb(), owner_key(create=True), form.get("title", ""), form.get("introduction", ""))
    flash(_("Die Mappe ist gespeichert."))
    return redirect(url_for("mappe.show"))


@bp.post("/mappe/items")
def add_item() -> Response:
    item_id = request.form.get("item_id", type=int) or 0
    added = mappe.add_item(kb(), owner_key(create=True), item_id, viewer())
    flash(_("Zur Mappe hinzugefügt.") if added else _("Dieser Eintrag ist schon in der Mappe."))
    return redirect(safe_next(request.form.get("next"), "mappe.show"))


@bp.post("/mappe/searches")
def add_search() -> Response:
    form = request.form
    mappe.add_search(kb(), owner_key(create=True), form.get("qs", ""), form.get("label", ""))
    flash(_("Die Suche ist in der Mappe."))
    return redirect(url_for("mappe.show"))


@bp.post("/mappe/entries/<int:entry_id>/remove")
def remove(entry_id: int) -> Response:
    mappe.remove(kb(), owner_key(), entry_id)
    return redirect(url_for("mappe.show"))


@bp.post("/mappe/entries/<int:entry_id>/move")
def move(entry_id: int) -> Response:
    mappe.move(kb(), owner_key(), entry_id, request.form.get("direction", ""))
    return redirect(url_for("mappe.show") + f"#entry-{entry_id}")


@bp.get("/mappe.pdf")
def pdf() -> Response:
    """A short Mappe at once; a long one through the worker, with a progress page.

    In the UI language, like every handout (the job carries the language along)."""
    made = mappe_jobs.request_pdf(kb(), owner_key(), viewer(), lang=ui_lang())
    if isinstance(made, int):
        return redirect(url_for("mappe.pdf_status", job_id=made))
    return _pdf_response(*made)


def _pdf_response(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/mappe/pdf/<int:job_id>")
def pdf_status(job_id: int) -> str:
    """Progress of a long Mappe (the page reloads itself until the PDF is ready)."""
    state = mappe_jobs.status(kb(), job_id, owner_key())
    return render_template("mappe_pdf.html", status=state)


@bp.get("/mappe/pdf/<int:job_id>/Mappe.pdf")
def pdf_file(job_id: int) -> Response:
    return _pdf_response(mappe_jobs.result(kb(), job_id, owner_key()), "Mappe.pdf")


@bp.get("/mappe.zip")
def originals() -> Response:
    """The originals as a ZIP: the temporary file is opened, unlinked, then streamed, so
    nothing stays on disk (``send_file`` passes a path straight through and never runs
    ``call_on_close`` callbacks; temporary ZIPs used to pile up that way)."""
    path = handout_service.mappe_zip(kb(), owner_key(), viewer())
    stream = path.open("rb")
    path.unlink()
    return send_file(stream, mimetype="application/zip", as_attachment=True,
                     download_name="Mappe-Originale.zip", max_age=0, etag=False)  # fmt: skip
