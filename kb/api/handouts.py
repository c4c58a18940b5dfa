"""Handouts of several items in one PDF (a Mappe built by a script, not the session's)."""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue

from kb.api import schemas_guidance as schemas
from kb.api.blueprint import bp, reads_only
from kb.api.common import json_body
from kb.api.errors import language
from kb.api.spec import operation
from kb.services import handouts
from kb.web import kb, viewer


@bp.post("/handouts/bundle")
@reads_only
@operation(
    "Several items as one handout PDF (like the Mappe)",
    "handouts",
    json=schemas.BundleIn,
    binary="application/pdf",
    errors=(400, 404),
    description="Table of contents, bookmarks per item, each item at most 12 pages of "
    "text. All or nothing: if you may not see one of the items, the answer is 404 and no "
    "PDF. Changes nothing, so a read-scoped token may call it. The web Mappe (/mappe) is "
    "bound to the browser session and not part of the API.",
)
def bundle_handout() -> ResponseReturnValue:
    args = json_body(schemas.BundleIn())
    ids = handouts.bundle_ids(args["item_ids"])
    title = " ".join(args["title"].split()) or "Mappe"
    pdf, name = handouts.bundle_handout(
        kb(), title, args["introduction"].strip(), ids, viewer(), lang=language()
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
