"""Events: timeline, event page with programme and materials, the ZIP, and the editing forms."""

from __future__ import annotations

import datetime as dt
import re

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from kb.errors import KbError, Unauthorized, ValidationError
from kb.models import ACCESS, Event
from kb.services import (
    agenda,
    deadlines,
    event_materials,
    event_pages,
    events,
    handout_kinds,
    qa,
)
from kb.services.access import can_view_object
from kb.services.reference import all_districts
from kb.web import kb, viewer
from kb.web.i18n import error_text, ui_lang

bp = Blueprint("events", __name__)

#: Empty rows offered below the programme, so rows can be added without JavaScript.
EMPTY_ROWS = 5


def _require_editor() -> None:
    if viewer().is_anonymous:
        raise Unauthorized("Bitte melden Sie sich an.", "Please sign in.")
    events.require_editor(viewer())


def parse_date(value: str, label: str) -> dt.date | None:
    """ "2025-03-14" (date field) or "14.03.2025" (old browsers show a text field)."""
    value = value.strip()
    if not value:
        return None
    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise ValidationError(
        f"{label}: „{value[:20]}“ ist kein Datum. Bitte im Format TT.MM.JJJJ, z. B. 14.03.2025.",
        f"{label}: '{value[:20]}' is not a date. Please use DD.MM.YYYY.",
    )


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(
            "Die Nummer in der Reihe muss eine ganze Zahl sein.",
            "The number in the series must be a whole number.",
        )
    return int(value)


def event_data(form: MultiDict[str, str]) -> events.EventData:
    return events.EventData(
        title=form.get("title", ""),
        starts_on=parse_date(form.get("starts_on", ""), "Beginn"),
        ends_on=parse_date(form.get("ends_on", ""), "Ende"),
        series_slug=form.get("series") or None,
        new_series_title=form.get("new_series", ""),
        number=_number(form.get("number", "")),
        city=form.get("city", ""),
        venue=form.get("venue", ""),
        host_district_ags=form.get("host_district") or None,
        description=form.get("description", ""),
        access=form.get("access", "public"),
    )


@bp.get("/events")
def timeline() -> str:
    return render_template("events/timeline.html", series=event_pages.timeline(kb(), viewer()))


@bp.get("/series/<slug>")
def series(slug: str) -> str:
    return render_template(
        "events/series.html", series=event_pages.series_page(kb(), slug, viewer())
    )


@bp.get("/events/<slug>")
def show(slug: str) -> str:
    page = event_pages.event_page(kb(), slug, viewer(), kb().today())
    questions = qa.for_event(kb(), page.id, viewer())
    return render_template("events/event.html", event=page, questions=questions)


@bp.get("/events/<slug>/handout.pdf")
def handout(slug: str) -> Response:
    """The whole workshop as one tagged PDF: programme, talks, materials (UI language)."""
    pdf, name = handout_kinds.event_handout(kb(), slug, viewer(), lang=ui_lang())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/events/<slug>/materials.zip")
def materials_zip(slug: str) -> Response:
    """Stream the finished archive; it is unlinked at once and vanishes when the stream closes.

    (``send_file`` passes a file straight through, so ``call_on_close`` callbacks
    would never run; an open, already unlinked file needs no clean-up at all.)
    """
    name, path = event_materials.materials_zip(kb(), slug, viewer())
    stream = path.open("rb")
    path.unlink()
    return send_file(stream, mimetype="application/zip", as_attachment=True, download_name=name,
                     max_age=0, etag=False)  # fmt: skip


def _form_page(template: str, status: int = 200, **context: object):  # type: ignore[no-untyped-def]
    return render_template(
        template,
        series_choices=events.all_series(kb()),
        districts=all_districts(kb()),
        access_choices=ACCESS,
        **context,
    ), status


@bp.route("/events/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    _require_editor()
    if request.method == "POST":
        try:
            slug = events.create_event(kb(), event_data(request.form), viewer())
        except KbError as exc:
            return _form_page("events/edit.html", 400, form=request.form, error=error_text(exc))
        flash(_("Die Veranstaltung ist angelegt."))
        return redirect(url_for("events.show", slug=slug))
    return _form_page("events/edit.html", form={"access": "public"}, error=None)


def _form_values(page: event_pages.EventPage) -> dict[str, object]:
    return {
        "title": page.title,
        "series": page.series_slug or "",
        "number": page.number or "",
        "starts_on": page.starts_on.isoformat() if page.starts_on else "",
        "ends_on": page.ends_on.isoformat() if page.ends_on else "",
        "city": page.city,
        "venue": page.venue,
        "host_district": page.host_district_ags or "",
        "description": page.description,
        "access": page.access,
    }


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):  # type: ignore[no-untyped-def]
    page = event_pages.event_page(kb(), slug, viewer(), kb().today())  # 404 before 403
    _require_editor()
    if request.method == "POST":
        try:
            events.update_event(kb(), slug, event_data(request.form), viewer())
        except KbError as exc:
            return _form_page(
                "events/edit.html", 400, form=request.form, error=error_text(exc), event=page
            )
        flash(_("Die Änderungen sind gespeichert."))
        return redirect(url_for("events.show", slug=slug))
    return _form_page("events/edit.html", form=_form_values(page), error=None, event=page)


_ROW_FIELDS = ("position", "starts_at", "ends_at", "title", "speakers", "item", "note", "remove")


def _agenda_from_form(form: MultiDict[str, str]) -> list[agenda.AgendaData]:
    """Rows in the order of their "Nr." field; blank rows and ticked "entfernen" are dropped."""
    rows = []
    for i in range(min(form.get("rows", 0, type=int) or 0, agenda.MAX_ENTRIES + EMPTY_ROWS)):
        row = {name: form.get(f"{name}_{i}", "") for name in _ROW_FIELDS}
        if row["remove"] or not any(row[n].strip() for n in _ROW_FIELDS[1:7]):
            continue
        item = row["item"].strip()
        if item and not item.isdigit():
            raise ValidationError(f"Zeile {i + 1}: ungültiger Eintrag.", f"Row {i + 1}: bad item.")
        order = row["position"].strip()
        key = (int(order) if order.isdigit() else i + 1, i)
        data = agenda.AgendaData(
            row["starts_at"], row["ends_at"], row["title"], row["speakers"],
            int(item) if item else None, row["note"],
        )  # fmt: skip
        rows.append((key, data))
    return [data for _, data in sorted(rows, key=lambda r: r[0])]


@bp.route("/events/<slug>/agenda", methods=["GET", "POST"])
def agenda_form(slug: str):  # type: ignore[no-untyped-def]
    page = event_pages.event_page(kb(), slug, viewer(), kb().today())
    _require_editor()
    error = None
    if request.method == "POST":
        try:
            rows = _agenda_from_form(request.form)
            agenda.set_agenda(kb(), slug, rows, viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Das Programm ist gespeichert."))
            return redirect(url_for("events.show", slug=slug) + "#programm")
    else:
        rows = agenda.agenda_rows(kb(), slug, viewer())
    shown = rows + [agenda.AgendaData() for _ in range(EMPTY_ROWS)]
    return render_template(
        "events/agenda.html", event=page, rows=shown, items=page.all_items, error=error
    ), (400 if error else 200)


@bp.route("/events/<slug>/delete", methods=["GET", "POST"])
def delete(slug: str):  # type: ignore[no-untyped-def]
    page = event_pages.event_page(kb(), slug, viewer(), kb().today())
    _require_editor()
    error = None
    if request.method == "POST":
        detach = request.form.get("detach") == "1"
        try:
            detached = events.delete_event(kb(), slug, viewer(), detach_materials=detach)
        except KbError as exc:
            error = error_text(exc)
        else:
            message = _("Die Veranstaltung „%(title)s“ ist gelöscht.", title=page.title)
            if detached:
                message += " " + _(
                    "%(count)s Material(ien) sind jetzt ohne Veranstaltung.", count=detached
                )
            flash(message)
            return redirect(url_for("events.timeline"))
    preview = events.delete_preview(kb(), slug, viewer())
    return render_template("events/delete.html", event=page, preview=preview, error=error), (
        400 if error else 200
    )


@bp.app_template_global("event_visible")
def event_visible(event: Event) -> bool:
    """For the item page's "Teil von" link: link only events the viewer may open."""
    return can_view_object(viewer(), event.access)


@bp.route("/series/<slug>/edit", methods=["GET", "POST"])
def series_edit(slug: str):  # type: ignore[no-untyped-def]
    """Rename or describe a series (Redaktion); its events keep their addresses."""
    page = event_pages.series_page(kb(), slug, viewer())  # 404 for an unknown series
    _require_editor()
    form: dict[str, str] = {"title": page.title, "description": page.description}
    if request.method == "POST":
        form = {
            "title": request.form.get("title", ""),
            "description": request.form.get("description", ""),
        }
        try:
            events.update_series(kb(), slug, events.SeriesData(**form), viewer())
        except KbError as exc:
            return render_template(
                "events/series_edit.html", slug=slug, form=form, error=error_text(exc)
            ), 400
        flash(_("Die Reihe ist gespeichert."))
        return redirect(url_for("events.series", slug=slug))
    return render_template("events/series_edit.html", slug=slug, form=form, error=None)


@bp.route("/events/<slug>/deadlines", methods=["GET", "POST"])
def deadlines_form(slug: str):  # type: ignore[no-untyped-def]
    """The event's deadlines (registration closes …): shown on Fristen and in the feeds."""
    page = event_pages.event_page(kb(), slug, viewer(), kb().today())  # 404 before 403
    _require_editor()
    if request.method == "POST":
        rows = [
            deadlines.DeadlineInput(title, due, note)
            for title, due, note in zip(
                request.form.getlist("title"),
                request.form.getlist("due_on"),
                request.form.getlist("note"),
                strict=False,
            )
            if title.strip() or due.strip()
        ]
        try:
            deadlines.set_event_deadlines(kb(), slug, rows, viewer())
        except KbError as exc:
            return render_template(
                "events/deadlines.html",
                event=page,
                rows=_rows_padded(rows),
                error=error_text(exc),
            ), 400
        flash(_("Die Fristen der Veranstaltung sind gespeichert."))
        return redirect(url_for("events.show", slug=slug))
    current = deadlines.of_event(kb(), slug, viewer())
    return render_template(
        "events/deadlines.html", event=page, rows=_rows_padded(current), error=None
    )


def _rows_padded(rows: list[deadlines.DeadlineInput]) -> list[deadlines.DeadlineInput]:
    """The rows plus three empty ones: adding a deadline needs no script."""
    return [*rows, *(deadlines.DeadlineInput() for _ in range(3))]
