"""Questions and answers (Q&A entries): list, get; create, change, delete (Redaktion).

An internal entry is invisible to anonymous callers (404, left out of lists); linked
guidance and the event are named only if the caller may see them (:mod:`kb.services.qa`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, url_for
from flask.typing import ResponseReturnValue

from kb.api import schemas_guidance as schemas
from kb.api.blueprint import bp
from kb.api.common import json_body, page_links, query_args
from kb.api.spec import operation
from kb.services import qa
from kb.web import kb, viewer


def qa_out(row: qa.QARow) -> dict[str, Any]:
    return {
        "id": row.id,
        "question": row.question,
        "answer": row.answer,
        "answering_body": row.answering_body,
        "asked_on": row.asked_on.isoformat() if row.asked_on else None,
        "access": row.access,
        "event": {"slug": row.event_slug, "title": row.event_title} if row.event_slug else None,
        "guidance": [{"id": i, "title": t} for i, t in row.guidance],
        "links": {
            "self": url_for("api.get_qa", qa_id=row.id, _external=True),
            "html": url_for("guidance.qa_show", qa_id=row.id, _external=True),
        },
    }


@bp.get("/qa")
@operation(
    "List questions and answers",
    "guidance",
    query=schemas.QAListArgs,
    response=schemas.QAList,
    errors=(400,),
    description="Entries you may see, newest question first; `guidance` (item id) and "
    "`event` (slug) filter. A filter naming something you may not see gives an empty list.",
)
def list_qa() -> ResponseReturnValue:
    args = query_args(schemas.QAListArgs())
    rows = qa.entries(kb(), viewer(), args.get("guidance"), args.get("event"))
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    params = {k: args[k] for k in ("guidance", "event") if args.get(k) is not None}
    return {
        "qa": [qa_out(r) for r in rows[start : start + per_page]],
        "total": len(rows),
        "page": page,
        "per_page": per_page,
        "links": page_links("api.list_qa", page, per_page, len(rows), **params),
    }


@bp.get("/qa/<int:qa_id>")
@operation("Get a question and its answer", "guidance", response=schemas.QAOut, errors=(404,))
def get_qa(qa_id: int) -> ResponseReturnValue:
    return qa_out(qa.show(kb(), qa_id, viewer()))


def _data(args: dict[str, Any], base: qa.QAData) -> qa.QAData:
    renamed = {("event_slug" if k == "event" else k): v for k, v in args.items()}
    return dataclasses.replace(base, **renamed)


@bp.post("/qa")
@operation(
    "Record a question and its answer (Redaktion)",
    "guidance",
    json=schemas.QACreate,
    response=schemas.QAOut,
    status=201,
    errors=(400, 403),
    description="`access` is internal unless sent; `guidance_ids` link guidance sheets.",
)
def create_qa() -> ResponseReturnValue:
    qa.require_editor(viewer())  # 401 / 403 before any input is looked at
    data = _data(json_body(schemas.QACreate()), qa.QAData(question=""))
    qa_id = qa.create(kb(), data, viewer())
    return get_qa(qa_id), 201, {"Location": url_for("api.get_qa", qa_id=qa_id)}


@bp.patch("/qa/<int:qa_id>")
@operation(
    "Change a question and answer (Redaktion)",
    "guidance",
    json=schemas.QAFields,
    response=schemas.QAOut,
    errors=(400, 403, 404),
    description="Only the fields sent change.",
)
def update_qa(qa_id: int) -> ResponseReturnValue:
    current = qa.form_data(kb(), qa_id, viewer())  # 401 / 403, then 404
    qa.update(kb(), qa_id, _data(json_body(schemas.QAFields()), current), viewer())
    return get_qa(qa_id)


@bp.delete("/qa/<int:qa_id>")
@operation("Delete a question and answer (Redaktion)", "guidance", status=204, errors=(403, 404))
def delete_qa(qa_id: int) -> ResponseReturnValue:
    qa.remove(kb(), qa_id, viewer())
    return Response(status=204)
