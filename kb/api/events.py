"""Series and events: lists, an event with its programme, create/change/delete, programme,
the materials ZIP and the event handout. The same services and rules as the event pages."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, send_file, url_for
from flask.typing import ResponseReturnValue

from kb.api import schemas_events as schemas
from kb.api.blueprint import bp
from kb.api.common import json_body, page_links, query_args
from kb.api.errors import language
from kb.api.spec import operation
from kb.errors import Unauthorized
from kb.services import agenda, event_listing, event_materials, event_pages, events, handout_kinds
from kb.web import kb, viewer

LIST_FILTERS = ("series", "year", "district", "upcoming")


def require_signed_in() -> None:
    """Changes need an account: anonymous callers get 401 (with the Bearer challenge)."""
    if viewer().is_anonymous:
        raise Unauthorized("Bitte melden Sie sich an.", "Please authenticate.")


def _event_links(slug: str) -> dict[str, str]:
    return {
        "self": url_for("api.get_event", slug=slug, _external=True),
        "html": url_for("events.show", slug=slug, _external=True),
        "handout": url_for("api.event_handout", slug=slug, _external=True),
        "materials": url_for("api.event_materials_zip", slug=slug, _external=True),
    }


def summary_out(row: event_listing.EventRow) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "title": row.title,
        "access": row.access,
        "series": row.series_slug,
        "series_title": row.series_title,
        "number": row.number,
        "starts_on": row.starts_on.isoformat() if row.starts_on else None,
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        "city": row.city,
        "venue": row.venue,
        "host_district": row.host_district_ags,
        "host_district_name": row.host_district_name,
        "upcoming": row.upcoming,
        "links": _event_links(row.slug),
    }


def _item_out(view: event_pages.ItemView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "kind": view.kind,
        "kind_label": view.kind_label,
        "summary": view.summary,
        "speakers": view.speakers,
        "files": [
            {
                "id": f.id,
                "filename": f.filename,
                "mime": f.mime,
                "size": f.size,
                "page_count": f.page_count,
                "url": url_for(
                    "api.version_file", item_id=view.id, version_id=f.id, _external=True
                ),
            }
            for f in view.files
        ],
        "links": {
            "self": url_for("api.get_item", item_id=view.id, _external=True),
            "html": url_for("pages.item", item_id=view.id, _external=True),
            "handout": url_for("api.item_handout", item_id=view.id, _external=True),
        },
    }


def event_out(page: event_pages.EventPage, today_upcoming: bool) -> dict[str, Any]:
    row = event_listing.EventRow(
        page.slug, page.title, page.access, page.series_slug, page.series_title, page.number,
        page.starts_on, page.ends_on, page.city, page.venue, page.host_district_ags,
        page.host_district_name, today_upcoming,
    )  # fmt: skip
    return {
        **summary_out(row),
        "description": page.description,
        "programme": [
            {
                "time": e.time,
                "starts_at": e.starts_at,
                "ends_at": e.ends_at,
                "title": e.title,
                "speakers": [{"name": s.name, "organisation": s.organisation} for s in e.speakers],
                "note": e.note,
                "item": _item_out(e.item) if e.item else None,
            }
            for e in page.programme
        ],
        "items": [_item_out(v) for v in page.all_items],
    }


# -- series ---------------------------------------------------------------------------------


def _series_out(row: event_listing.SeriesRow) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "title": row.title,
        "description": row.description,
        "event_count": row.events,
        "links": {
            "self": url_for("api.get_series", slug=row.slug, _external=True),
            "events": url_for("api.list_events", series=row.slug, _external=True),
            "html": url_for("events.series", slug=row.slug, _external=True),
        },
    }


@bp.get("/series")
@operation("List event series", "events", response=schemas.SeriesList, errors=())
def list_series() -> ResponseReturnValue:
    return {"series": [_series_out(s) for s in event_listing.list_series(kb(), viewer())]}


@bp.get("/series/<slug>")
@operation("Get a series with its events", "events", response=schemas.SeriesDetail, errors=(404,))
def get_series(slug: str) -> ResponseReturnValue:
    series, rows = event_listing.series_events(kb(), slug, viewer(), kb().today())
    return {**_series_out(series), "events": [summary_out(r) for r in rows]}


# -- events ---------------------------------------------------------------------------------


@bp.get("/events")
@operation(
    "List events",
    "events",
    query=schemas.EventListArgs,
    response=schemas.EventList,
    errors=(400,),
    description="Events you may see; newest first, or soonest first with `upcoming=true` "
    "(not yet over). Paged: `links.next`/`links.prev`.",
)
def list_events() -> ResponseReturnValue:
    args = query_args(schemas.EventListArgs())
    where = event_listing.EventFilter(**{k: args.get(k) for k in LIST_FILTERS})
    page, per_page = args["page"], args["per_page"]
    total, rows = event_listing.list_events(kb(), viewer(), where, page, per_page, kb().today())
    params = {k: args[k] for k in LIST_FILTERS if args.get(k) is not None}
    return {
        "events": [summary_out(r) for r in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
        "links": page_links("api.list_events", page, per_page, total, **params),
    }


def _page(slug: str) -> event_pages.EventPage:
    return event_pages.event_page(kb(), slug, viewer(), kb().today())


def _not_over(page: event_pages.EventPage) -> bool:
    last = page.ends_on or page.starts_on
    return last is not None and last >= kb().today()


@bp.get("/events/<slug>")
@operation(
    "Get an event with its programme and materials",
    "events",
    response=schemas.EventOut,
    errors=(404,),
    description="Programme entries name their talk only if you may see it; `items` lists "
    "every material of the event you may see.",
)
def get_event(slug: str) -> ResponseReturnValue:
    page = _page(slug)
    return event_out(page, _not_over(page))


def _event_data(args: dict[str, Any]) -> events.EventData:
    return events.EventData(
        title=args.get("title", ""),
        starts_on=args.get("starts_on"),
        series_slug=args.get("series") or None,
        new_series_title=args.get("new_series", ""),
        number=args.get("number"),
        ends_on=args.get("ends_on"),
        city=args.get("city", ""),
        venue=args.get("venue", ""),
        host_district_ags=args.get("host_district") or None,
        description=args.get("description", ""),
        access=args.get("access", "public"),
    )


@bp.post("/events")
@operation(
    "Create an event (Redaktion)",
    "events",
    json=schemas.EventCreate,
    response=schemas.EventOut,
    status=201,
    errors=(400, 403),
    description="The slug is made from series and number (or title and year) and never changes.",
)
def create_event() -> ResponseReturnValue:
    require_signed_in()
    events.require_editor(viewer())  # before any input is looked at
    slug = events.create_event(kb(), _event_data(json_body(schemas.EventCreate())), viewer())
    response = get_event(slug)
    return response, 201, {"Location": url_for("api.get_event", slug=slug)}


_FIELD_OF = {
    "series": "series_slug",
    "new_series": "new_series_title",
    "host_district": "host_district_ags",
}


@bp.patch("/events/<slug>")
@operation(
    "Change an event (Redaktion)",
    "events",
    json=schemas.EventFields,
    response=schemas.EventOut,
    errors=(400, 403, 404),
    description="Only the fields sent change.",
)
def update_event(slug: str) -> ResponseReturnValue:
    page = _page(slug)  # 404 before 401/403, as on the pages
    require_signed_in()
    events.require_editor(viewer())
    changes = json_body(schemas.EventFields())
    current = events.EventData(
        title=page.title, starts_on=page.starts_on, series_slug=page.series_slug,
        number=page.number, ends_on=page.ends_on, city=page.city, venue=page.venue,
        host_district_ags=page.host_district_ags, description=page.description,
        access=page.access,
    )  # fmt: skip
    renamed = {_FIELD_OF.get(k, k): v for k, v in changes.items()}
    events.update_event(kb(), slug, dataclasses.replace(current, **renamed), viewer())
    return get_event(slug)


@bp.delete("/events/<slug>")
@operation(
    "Delete an event (Redaktion)",
    "events",
    query=schemas.EventDeleteArgs,
    status=204,
    errors=(400, 403, 404, 409),
    description="Refused with 409 while the event has materials, unless "
    "`detach_materials=true` (they are kept, without the event). Programme, deadlines and "
    "participant group go with the event; Q&A entries stay.",
)
def delete_event(slug: str) -> ResponseReturnValue:
    _page(slug)
    require_signed_in()
    events.require_editor(viewer())
    args = query_args(schemas.EventDeleteArgs())
    events.delete_event(kb(), slug, viewer(), detach_materials=args["detach_materials"])
    return Response(status=204)


@bp.put("/events/<slug>/agenda")
@operation(
    "Replace an event's programme (Redaktion)",
    "events",
    json=schemas.AgendaIn,
    response=schemas.EventOut,
    errors=(400, 403, 404),
    description="The whole programme in one request, in order; `[]` empties it.",
)
def put_agenda(slug: str) -> ResponseReturnValue:
    _page(slug)
    require_signed_in()
    events.require_editor(viewer())
    rows = [
        agenda.AgendaData(
            e["starts_at"],
            e["ends_at"],
            e["title"],
            "; ".join(n.replace(";", " ") for n in e["speakers"]),
            e["item_id"],
            e["note"],
        )  # fmt: skip
        for e in json_body(schemas.AgendaIn())["entries"]
    ]
    agenda.set_agenda(kb(), slug, rows, viewer())
    return get_event(slug)


@bp.get("/events/<slug>/materials.zip")
@operation(
    "Download all materials of an event you may see (ZIP with a table of contents)",
    "events",
    binary="application/zip",
    errors=(404,),
)
def event_materials_zip(slug: str) -> ResponseReturnValue:
    name, path = event_materials.materials_zip(kb(), slug, viewer())
    stream = path.open("rb")
    path.unlink()  # the open file stays readable; nothing is left behind
    return send_file(stream, mimetype="application/zip", as_attachment=True, download_name=name,
                     max_age=0, etag=False)  # fmt: skip


@bp.get("/events/<slug>/handout.pdf")
@operation(
    "Download an event's handout (PDF/UA)", "handouts", binary="application/pdf", errors=(404,)
)
def event_handout(slug: str) -> ResponseReturnValue:
    pdf, name = handout_kinds.event_handout(kb(), slug, viewer(), lang=language())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
