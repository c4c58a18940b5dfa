"""Guidance (Leitfäden): list by validity, one sheet with banner, deadlines and FAQ, its
guidance fields, "what changed", its handout; and the upcoming deadlines. Same services and
rules as the guidance pages; validity is computed for ``kb.today()`` on every request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, url_for
from flask.typing import ResponseReturnValue

from kb.api import schemas_guidance as schemas
from kb.api.blueprint import bp
from kb.api.common import json_body, page_links, query_args
from kb.api.errors import language
from kb.api.qa import qa_out
from kb.api.spec import operation
from kb.errors import NotFound
from kb.services import deadlines, guidance, guidance_pages, handout_kinds
from kb.services.items import load_item
from kb.web import kb, viewer


def _links(item_id: int, has_changes: bool = False) -> dict[str, str]:
    out = {
        "self": url_for("api.get_guidance", item_id=item_id, _external=True),
        "item": url_for("api.get_item", item_id=item_id, _external=True),
        "html": url_for("pages.item", item_id=item_id, _external=True),
        "handout": url_for("api.guidance_handout", item_id=item_id, _external=True),
    }
    if has_changes:
        out["changes"] = url_for("api.guidance_changes", item_id=item_id, _external=True)
    return out


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _validity(v: guidance.Validity) -> dict[str, Any]:
    return {"status": v.status, "label": v.label, "banner": v.banner, "note": v.note}


def _row_out(row: guidance.GuidanceRow) -> dict[str, Any]:
    v = row.validity
    return {
        "id": row.id,
        "title": row.title,
        "issuing_body": row.issuing_body,
        "valid_from": _date(v.valid_from),
        "valid_until": _date(v.valid_until),
        "validity": _validity(v),
        "links": _links(row.id),
    }


@bp.get("/guidance")
@operation(
    "List guidance by validity",
    "guidance",
    query=schemas.GuidanceListArgs,
    response=schemas.GuidanceList,
    errors=(400,),
    description="Published (and archived) guidance you may see: current, then upcoming, "
    "then superseded and expired; `status` picks one of them. Validity is as of today.",
)
def list_guidance() -> ResponseReturnValue:
    args = query_args(schemas.GuidanceListArgs())
    overview = guidance.guidance_overview(kb(), viewer(), kb().today())
    rows = overview.current + overview.upcoming + overview.old
    if args.get("status"):
        rows = [r for r in rows if r.validity.status == args["status"]]
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    params = {"status": args["status"]} if args.get("status") else {}
    return {
        "guidance": [_row_out(r) for r in rows[start : start + per_page]],
        "total": len(rows),
        "page": page,
        "per_page": per_page,
        "links": page_links("api.list_guidance", page, per_page, len(rows), **params),
    }


def _neighbour(item_id: int | None, title: str, valid_from: Any = None) -> dict | None:
    if item_id is None:
        return None
    return {"id": item_id, "title": title, "valid_from": _date(valid_from)}


@bp.get("/guidance/<int:item_id>")
@operation(
    "Get a guidance sheet: validity, banner, issuing body, editions, deadlines, FAQ",
    "guidance",
    response=schemas.GuidanceOut,
    errors=(404,),
    description="Predecessor and successor are named only if you may see them. An item "
    "that is not guidance is 404 here (see /items).",
)
def get_guidance(item_id: int) -> ResponseReturnValue:
    with kb().db.reading() as session:
        item = load_item(session, item_id, viewer())
        if item.kind != guidance.GUIDANCE_KIND:
            raise NotFound("Dieser Eintrag ist kein Leitfaden.", "This item is not guidance.")
        page = guidance_pages.page_data(session, item, viewer(), kb().today())
        v = page.validity
        row = guidance.GuidanceRow(item.id, item.title, page.issuing_body, v)
        return {
            **_row_out(row),
            "links": _links(item.id, page.has_changes),
            "summary": item.summary,
            "state": item.state,
            "access": item.access,
            "programme": item.programme,
            "predecessor": _neighbour(v.predecessor_id, v.predecessor_title),
            "successor": _neighbour(v.successor_id, v.successor_title, v.successor_from),
            "body": page.body,
            "deadlines": [
                {"id": d.id, "title": d.title, "due_on": d.due_on.isoformat(), "note": d.note}
                for d in page.deadlines
            ],
            "faq": [qa_out(r) for r in page.faq],
        }


@bp.put("/guidance/<int:item_id>")
@operation(
    "Set a guidance sheet's fields (owner or Redaktion)",
    "guidance",
    json=schemas.GuidanceIn,
    response=schemas.GuidanceOut,
    errors=(400, 403, 404),
    description="Replaces issuing body, validity, predecessor and text; `deadlines` only "
    "when sent. The item must be of the kind Leitfaden.",
)
def put_guidance(item_id: int) -> ResponseReturnValue:
    guidance_pages.form_values(kb(), item_id, viewer())  # 404, then 401, then 403
    args = json_body(schemas.GuidanceIn())
    rows = args.get("deadlines")
    edit = guidance.GuidanceEdit(
        issuing_body=args["issuing_body"],
        valid_from=args["valid_from"],
        valid_until=args["valid_until"],
        supersedes_id=args["supersedes_id"],
        body=args["body"],
        deadlines=None
        if rows is None
        else [deadlines.DeadlineInput(r["title"], r["due_on"], r["note"]) for r in rows],
    )
    guidance.set_guidance(kb(), item_id, edit, viewer())
    return get_guidance(item_id)


def _lines(lines: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"change": tag, "text": text} for tag, text in lines]


@bp.get("/guidance/<int:item_id>/changes")
@operation(
    "What changed from the edition this one supersedes",
    "guidance",
    response=schemas.ChangesOut,
    errors=(404,),
    description="Current files compared page by page; the Markdown text as one section. "
    "404 without a predecessor you may see.",
)
def guidance_changes(item_id: int) -> ResponseReturnValue:
    c = guidance_pages.changes(kb(), item_id, viewer())
    return {
        "id": c.item_id,
        "title": c.title,
        "predecessor": {"id": c.predecessor_id, "title": c.predecessor_title},
        "unit": c.unit,
        "pages": [{"number": p.number, "lines": _lines(p.lines)} for p in c.pages],
        "body": _lines(c.body),
        "whats_new": c.whats_new,
    }


@bp.get("/guidance/<int:item_id>/handout.pdf")
@operation(
    "Download a guidance handout (PDF/UA)",
    "handouts",
    binary="application/pdf",
    errors=(404,),
    description="Validity banner, checklist, deadlines, what is new, FAQ. The same PDF as "
    "/items/{item_id}/handout.pdf of a guidance item; 404 for other kinds.",
)
def guidance_handout(item_id: int) -> ResponseReturnValue:
    pdf, name = handout_kinds.guidance_handout(kb(), item_id, viewer(), lang=language())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/deadlines")
@operation(
    "Upcoming deadlines, and guidance that starts to apply",
    "guidance",
    query=schemas.DeadlineArgs,
    response=schemas.DeadlineList,
    errors=(400,),
    description="From today to `days` ahead (at most 730): deadlines of published guidance "
    "and of events you may see.",
)
def list_deadlines() -> ResponseReturnValue:
    days = query_args(schemas.DeadlineArgs())["days"]
    today = kb().today()
    rows = deadlines.upcoming(kb(), viewer(), today, days)
    return {
        "from": today.isoformat(),
        "until": (today + dt.timedelta(days=days)).isoformat(),
        "deadlines": [
            {
                "date": u.date.isoformat(),
                "kind": u.kind,
                "title": u.title,
                "note": u.note,
                "item": _neighbour(u.item_id, u.item_title),
                "event": {"slug": u.event_slug, "title": u.event_title} if u.event_slug else None,
            }
            for u in rows
        ],
    }
