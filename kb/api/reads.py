"""Search, districts, job status, handouts and the OpenAPI document."""

from __future__ import annotations

from flask import Response, current_app
from flask.typing import ResponseReturnValue

from kb.api import schemas, serialize
from kb.api.blueprint import bp
from kb.api.common import page_links, query_args
from kb.api.errors import language
from kb.api.spec import build_spec, operation
from kb.services import handouts
from kb.services.items import file_statuses
from kb.services.reference import all_districts
from kb.services.search import FACET_LABELS, run_search, search_text
from kb.web import kb, viewer


@bp.get("/search")
@operation(
    "Search",
    "search",
    query=schemas.SearchArgs,
    response=schemas.SearchResult,
    description='The search page\'s query language (UND/ODER/NICHT, -word, "phrases", '
    "prefix*), facets and filters; hits you may see only.",
)
def search() -> ResponseReturnValue:
    args = query_args(schemas.SearchArgs())
    filters = {name: args.get(name, []) for name in FACET_LABELS}
    result = run_search(
        kb(),
        search_text(args["q"]),
        viewer(),
        page=args["page"],
        page_size=args["per_page"],
        filters=filters,
        sort=args["sort"],
    )
    params = {"q": args["q"], **{k: v for k, v in filters.items() if v}}
    if args["sort"] != "relevance":
        params["sort"] = args["sort"]
    links = page_links("api.search", result.page, result.page_size, result.total, **params)
    return serialize.search_out(result, links)


@bp.get("/districts")
@operation("List districts", "reference", response=schemas.DistrictList, errors=())
def districts() -> ResponseReturnValue:
    return {
        "districts": [
            {"ags": d.ags, "name": d.name, "kind": d.kind, "state": d.state}
            for d in all_districts(kb())
        ]
    }


@bp.get("/jobs")
@operation(
    "Status of uploaded files' text extraction",
    "files",
    query=schemas.JobArgs,
    response=schemas.JobList,
    errors=(400,),
    description="Unknown or hidden ids are left out.",
)
def jobs() -> ResponseReturnValue:
    args = query_args(schemas.JobArgs())
    found = file_statuses(kb(), args["file"], viewer())
    lang = language()
    return {"jobs": [serialize.job_out(s, lang) for s in found]}


@bp.get("/items/<int:item_id>/handout.pdf")
@operation("Download an item's handout (PDF/UA)", "handouts", binary="application/pdf")
def item_handout(item_id: int) -> ResponseReturnValue:
    pdf, name = handouts.item_handout(kb(), item_id, viewer(), lang=language())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/openapi.json")
@operation("This OpenAPI 3.1 document", "meta", errors=())
def openapi() -> ResponseReturnValue:
    return build_spec(current_app)
