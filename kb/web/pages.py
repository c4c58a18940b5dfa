"""Home, search results, item page, downloads, handouts, health."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for

from kb.services import (
    deadlines,
    discovery,
    event_pages,
    guidance_pages,
    previews,
    versions,
    workflow,
)
from kb.services import handouts as handout_service
from kb.services import items as item_service
from kb.services.access import can_edit
from kb.services.search import FACET_LABELS, run_search, search_text
from kb.services.status import check_health
from kb.web import kb, viewer
from kb.web.discovery import owner_key
from kb.web.i18n import ui_lang

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The three daily tasks (find, upload, hand out), plus what comes next."""
    today = kb().today()
    recent = item_service.recent_items(kb(), viewer(), limit=8)
    upcoming = event_pages.next_events(kb(), viewer(), today)
    due = deadlines.upcoming(kb(), viewer(), today, days=120)[:5]
    return render_template("home.html", recent=recent, upcoming=upcoming, due=due)


@bp.get("/search")
def search() -> str:
    """All search state lives in the query string: shareable, and the back button works."""
    text = search_text(request.args.get("q", ""))
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 1000))
    sort = request.args.get("sort", "relevance")
    filters = {name: request.args.getlist(name)[:20] for name in FACET_LABELS}
    has_filters = any(filters.values())
    result = suggestion = None
    if text or has_filters:
        result = run_search(kb(), text, viewer(), page=page, filters=filters, sort=sort)
        if text and result.total < 3:
            suggestion = discovery.spelling_suggestion(kb(), text, viewer())
    return render_template(
        "search.html",
        q=text,
        result=result,
        suggestion=suggestion,
        search_url=_search_url,
        saved=discovery.saved_searches(kb(), owner_key()),
    )


def _search_url(result, **changes: object) -> str:  # type: ignore[no-untyped-def]
    """The URL of ``result``'s search with some parameters changed (None removes one)."""
    args: dict[str, object] = {"q": result.query, "sort": result.sort, **result.filters}
    args.update(changes)
    if args.get("sort") == "relevance":
        args.pop("sort")
    clean = {k: v for k, v in args.items() if v not in (None, "", [])}
    return url_for("pages.search", **clean)


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> str:
    with kb().db.reading() as session:
        obj = item_service.load_item(session, item_id, viewer())
        related = discovery.related(kb(), item_id, viewer())
        editable = can_edit(viewer(), obj)
        guidance = None
        if obj.kind == "leitfaden":
            guidance = guidance_pages.page_data(session, obj, viewer(), kb().today())
        return render_template(
            "item.html",
            item=obj,
            related=related,
            editable=editable,
            may_change_files=versions.may_edit(session, viewer(), obj),
            file_versions=versions.history(session, obj),
            preview_pages={f.id: previews.page_count(kb(), f) for f in obj.files if f.is_current},
            preview_sizes={f.id: previews.page_size(kb(), f) for f in obj.files if f.is_current},
            transitions=workflow.available_transitions(viewer(), obj),
            history=workflow.history(session, item_id) if editable else [],
            guidance=guidance,
        )


@bp.get("/items/<int:item_id>/files/<int:file_id>")
def download(item_id: int, file_id: int) -> Response:
    """The original file under its original name (RFC 6266 handles umlauts)."""
    found = item_service.file_for_download(kb(), item_id, file_id, viewer())
    return send_file(
        found.path,
        mimetype=found.mime,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )


@bp.get("/items/<int:item_id>/handout.pdf")
def handout(item_id: int) -> Response:
    pdf, name = handout_service.item_handout(kb(), item_id, viewer(), lang=ui_lang())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/healthz")
def healthz() -> tuple[dict[str, object], int]:
    """For monitoring and load balancers: 200 when healthy, 503 with the reasons otherwise."""
    health = check_health(kb())
    return health.as_dict(), 200 if health.ok else 503


@bp.get("/favicon.ico")
def favicon() -> None:
    abort(404)
