"""Guidance pages: "Leitfäden", the guidance form, "Was hat sich geändert", "Fristen",
Q&A entries, and the calendar feeds (public, personal, and their set-up on the account page)."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from kb.errors import KbError
from kb.models import ACCESS
from kb.services import calendar, deadlines, guidance, guidance_pages, qa
from kb.services.access import ANONYMOUS
from kb.services.dates import parse_date
from kb.services.reference import all_events
from kb.web import kb, viewer
from kb.web.i18n import error_text

bp = Blueprint("guidance", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.get("/guidance")
def overview() -> str:
    data = guidance.guidance_overview(kb(), viewer(), kb().today())
    return render_template("guidance/overview.html", overview=data)


@bp.get("/deadlines")
def upcoming() -> str:
    rows = deadlines.upcoming(kb(), viewer(), kb().today())
    return render_template("guidance/deadlines.html", rows=rows, today=kb().today())


@bp.get("/items/<int:item_id>/changes")
def changes(item_id: int) -> str:
    return render_template(
        "guidance/changes.html", c=guidance_pages.changes(kb(), item_id, viewer())
    )


def _posted_form(item: guidance_pages.GuidanceForm, form: MultiDict[str, str]):  # type: ignore[no-untyped-def]
    rows = list(
        zip(
            form.getlist("deadline_title")[: deadlines.MAX_ROWS + 5],
            form.getlist("deadline_due"),
            form.getlist("deadline_note"),
            strict=False,
        )
    )
    supersedes = form.get("supersedes_id", "").strip()
    return replace(
        item,
        issuing_body=form.get("issuing_body", "")[:300],
        valid_from=form.get("valid_from", "")[:40],
        valid_until=form.get("valid_until", "")[:40],
        supersedes_id=int(supersedes) if supersedes.isdigit() else None,
        body=form.get("body", ""),
        deadlines=rows,
    )


def _edit_from(values: guidance_pages.GuidanceForm) -> guidance.GuidanceEdit:
    return guidance.GuidanceEdit(
        issuing_body=values.issuing_body,
        valid_from=parse_date(values.valid_from, "Gültig ab"),
        valid_until=parse_date(values.valid_until, "Gültig bis"),
        supersedes_id=values.supersedes_id,
        body=values.body,
        deadlines=[deadlines.DeadlineInput(t, d, n) for t, d, n in values.deadlines],
    )


@bp.route("/items/<int:item_id>/guidance", methods=["GET", "POST"])
def edit(item_id: int):  # type: ignore[no-untyped-def]
    values = guidance_pages.form_values(kb(), item_id, viewer())  # 404 / login / 403
    error = None
    if request.method == "POST":
        values = _posted_form(values, request.form)
        try:
            guidance.set_guidance(kb(), item_id, _edit_from(values), viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Angaben zum Leitfaden sind gespeichert."))
            return redirect(url_for("pages.item", item_id=item_id))
    return render_template(
        "guidance/edit.html",
        values=values,
        choices=guidance.choices(kb(), viewer(), exclude_id=item_id),
        spare_rows=3,
        error=error,
    ), (400 if error else 200)


def _qa_from(form: MultiDict[str, str]) -> qa.QAData:
    ids = [int(v) for v in form.getlist("guidance_ids")[:50] if v.strip().isdigit()]
    return qa.QAData(
        question=form.get("question", ""),
        answer=form.get("answer", ""),
        answering_body=form.get("answering_body", "")[:300],
        asked_on=parse_date(form.get("asked_on", "")[:40], "Gefragt am"),
        event_slug=form.get("event_slug", "").strip()[:80] or None,
        access=form.get("access", "internal")[:20],
        guidance_ids=ids,
    )


def _qa_form(data: qa.QAData, qa_id: int | None, error: str | None):  # type: ignore[no-untyped-def]
    return render_template(
        "guidance/qa_edit.html",
        data=data,
        qa_id=qa_id,
        events=all_events(kb()),
        choices=guidance.choices(kb(), viewer()),
        access_choices=ACCESS,
        error=error,
    ), (400 if error else 200)


def _back(guidance_ids: list[int]) -> Response:
    if guidance_ids:
        return redirect(url_for("pages.item", item_id=guidance_ids[0]) + "#faq-h")
    return redirect(url_for("guidance.overview"))


@bp.route("/qa/new", methods=["GET", "POST"])
def qa_new():  # type: ignore[no-untyped-def]
    qa.require_editor(viewer())  # login for anonymous visitors, 403 for others
    if request.method == "GET":
        preset = request.args.get("item", "")
        ids = [int(preset)] if preset.isdigit() else []
        return _qa_form(qa.QAData(question="", guidance_ids=ids), None, None)
    data = qa.QAData(question="")
    try:
        data = _qa_from(request.form)
        qa.create(kb(), data, viewer())
    except KbError as exc:
        return _qa_form(data, None, error_text(exc))
    flash(_("Frage und Antwort sind gespeichert."))
    return _back(data.guidance_ids)


@bp.get("/qa/<int:qa_id>")
def qa_show(qa_id: int) -> str:
    """One question and its answer (search hits on Q&A entries lead here)."""
    return render_template("guidance/qa.html", entry=qa.show(kb(), qa_id, viewer()))


@bp.route("/qa/<int:qa_id>/edit", methods=["GET", "POST"])
def qa_edit(qa_id: int):  # type: ignore[no-untyped-def]
    data = qa.form_data(kb(), qa_id, viewer())  # login / 403 / 404
    if request.method == "GET":
        return _qa_form(data, qa_id, None)
    try:
        data = _qa_from(request.form)
        qa.update(kb(), qa_id, data, viewer())
    except KbError as exc:
        return _qa_form(data, qa_id, error_text(exc))
    flash(_("Frage und Antwort sind gespeichert."))
    return _back(data.guidance_ids)


@bp.post("/qa/<int:qa_id>/delete")
def qa_delete(qa_id: int) -> Response:
    linked = qa.remove(kb(), qa_id, viewer())
    flash(_("Der Eintrag ist gelöscht."))
    return _back(linked)


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype=ICS_MIMETYPE)
    response.headers["Content-Type"] = ICS_MIMETYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


@bp.get("/calendar.ics")
def public_feed() -> Response:
    """Public material only, whoever asks (signed in or not): a feed URL is shared."""
    return _ics(calendar.feed(kb(), ANONYMOUS, kb().today()), "kb-kalender.ics")


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str) -> Response:
    feed_viewer = calendar.viewer_for_feed_token(kb(), token)
    if feed_viewer is None:
        abort(404)
    body = calendar.feed(kb(), feed_viewer, kb().today(), personal=True)
    response = _ics(body, "kb-kalender-persoenlich.ics")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _signed_in_user_id() -> int:
    user = g.get("user")
    if user is None:  # back to the account page after signing in (this URL takes only POST)
        abort(redirect(url_for("auth.login", next=url_for("auth.account"))))
    return int(user.id)


@bp.post("/account/calendar")
def create_feed() -> str:
    """Make (or replace) the personal feed URL and show it this once."""
    token = calendar.create_feed_token(kb(), _signed_in_user_id())
    # The configured public address, not the request's Host header (proxies, spoofing).
    link = kb().base_url + url_for("guidance.personal_feed", token=token)
    return render_template("guidance/feed_link.html", link=link)


@bp.post("/account/calendar/revoke")
def revoke_feed() -> Response:
    if calendar.revoke_feed(kb(), _signed_in_user_id()):
        flash(_("Ihr persönlicher Kalender-Link ist widerrufen; er funktioniert nicht mehr."))
    else:
        flash(_("Sie hatten keinen persönlichen Kalender-Link."))
    return redirect(url_for("auth.account") + "#calendar-h")
