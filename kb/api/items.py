"""Items and their file versions: list, get, create, update, change state, delete; versions."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, request, send_file, url_for
from flask.typing import ResponseReturnValue

from kb.api import schemas, serialize
from kb.api.blueprint import bp
from kb.api.common import form_args, json_body, page_links, query_args
from kb.api.errors import language
from kb.api.spec import operation
from kb.errors import ValidationError
from kb.services import items as item_service
from kb.services import trash, versions, workflow
from kb.services.listing import ItemFilter, list_items
from kb.web import kb, viewer

FILTERS = ("kind", "state", "access", "event", "district", "topic")


@bp.get("/items")
@operation(
    "List items",
    "items",
    query=schemas.ItemListArgs,
    response=schemas.ItemList,
    description="Newest first; only items you may see. Paged: `links.next`/`links.prev`.",
)
def list_items_view() -> ResponseReturnValue:
    args = query_args(schemas.ItemListArgs())
    where = ItemFilter(**{k: args.get(k) for k in FILTERS})
    page, per_page = args["page"], args["per_page"]
    with kb().db.reading() as session:
        total, rows = list_items(session, viewer(), where, page, per_page)
        body = [serialize.item_out(item) for item in rows]
    params = {k: args[k] for k in FILTERS if args.get(k)}
    return {
        "items": body,
        "total": total,
        "page": page,
        "per_page": per_page,
        "links": page_links("api.list_items_view", page, per_page, total, **params),
    }


@bp.get("/items/<int:item_id>")
@operation("Get an item", "items", response=schemas.ItemOut)
def get_item(item_id: int) -> ResponseReturnValue:
    with kb().db.reading() as session:
        return serialize.item_out(item_service.load_item(session, item_id, viewer()))


def _files(name: str, alt: list[str] | None = None) -> list[item_service.UploadFile]:
    """The files of field ``name``; ``alt[n]`` is the n-th file's alternative text."""
    alt = alt or []
    return [
        item_service.UploadFile(f.filename or "", f.stream, alt[n] if n < len(alt) else "")
        for n, f in enumerate(request.files.getlist(name))
    ]


@bp.post("/items")
@operation(
    "Create items from files",
    "items",
    form=schemas.ItemCreateForm,
    response=schemas.UploadResult,
    status=201,
    errors=(400, 403, 413),
    description="One item per file; text extraction runs afterwards (see /jobs). A PNG or "
    "JPEG without alternative text (`alt`) is rejected, its sibling files are stored.",
)
def create_items() -> ResponseReturnValue:
    item_service.check_upload_allowed(kb(), viewer())  # before any input is looked at
    args = form_args(schemas.ItemCreateForm(), skip=("files",))
    files = _files("files", args.get("alt"))
    if not files:
        raise ValidationError("Bitte senden Sie mindestens eine Datei (files).", "No files sent.")
    meta = item_service.ItemMeta(
        title=args.get("title", ""),
        kind=args.get("kind", "sonstiges"),
        summary=args.get("summary", ""),
        organisation=args.get("organisation", ""),
        speakers=args.get("speakers", ""),
        event_slug=args.get("event") or None,
        date=args.get("date"),
        access=args.get("access"),  # None: the service's default (intern once signed in)
        programme=args.get("programme", ""),
        topics=args.get("topics", []),
        districts=args.get("districts", []),
        licence=args.get("licence", ""),
        participants_only=args.get("participants_only", False),
    )
    outcomes = item_service.upload_files(kb(), files, meta, viewer(), require_alt=True)
    lang = language()
    return {"outcomes": [serialize.outcome_out(o, lang) for o in outcomes]}, 201


@bp.patch("/items/<int:item_id>")
@operation(
    "Update an item's metadata",
    "items",
    json=schemas.ItemMetaFields,
    response=schemas.ItemOut,
    errors=(400, 403, 404),
    description="Only the fields sent change.",
)
def update_item(item_id: int) -> ResponseReturnValue:
    changes = json_body(schemas.ItemMetaFields())
    if "event" in changes:
        changes["event"] = changes["event"] or ""
    with kb().db.reading() as session:
        current = _edit_of(item_service.load_item(session, item_id, viewer()))
    workflow.update_item(kb(), item_id, dataclasses.replace(current, **changes), viewer())
    return get_item(item_id)


def _edit_of(item: Any) -> workflow.ItemEdit:
    return workflow.ItemEdit(
        title=item.title,
        kind=item.kind,
        summary=item.summary,
        organisation=item.organisation,
        speakers=item.speakers,
        programme=item.programme,
        access=item.access,
        licence=item.licence,
        participants_only=item.participants_only,
        topics=[t.name for t in item.topics],
        districts=[d.ags for d in item.districts],
        tags=[t.name for t in item.tags],
        event=item.event.slug if item.event else "",
        date=item.date,
    )


@bp.post("/items/<int:item_id>/state")
@operation(
    "Move an item through the workflow",
    "items",
    json=schemas.StateChange,
    response=schemas.ItemOut,
    errors=(400, 403, 404),
)
def change_state(item_id: int) -> ResponseReturnValue:
    args = json_body(schemas.StateChange())
    workflow.change_state(kb(), item_id, args["target"], viewer(), args["comment"])
    return get_item(item_id)


@bp.delete("/items/<int:item_id>")
@operation(
    "Move an item to the trash",
    "items",
    status=204,
    errors=(403, 404),
    description="Restorable by Redaktion for KB_TRASH_DAYS (30) days, then purged.",
)
def delete_item(item_id: int) -> ResponseReturnValue:
    trash.delete_item(kb(), item_id, viewer())
    return Response(status=204)


@bp.get("/items/<int:item_id>/versions")
@operation("List an item's file versions", "files", response=schemas.VersionList)
def list_versions(item_id: int) -> ResponseReturnValue:
    with kb().db.reading() as session:
        item = item_service.load_item(session, item_id, viewer())
        files = sorted(item.files, key=lambda f: f.id, reverse=True)
        return {"versions": [serialize.file_out(item.id, f) for f in files]}


@bp.post("/items/<int:item_id>/versions")
@operation(
    "Upload a corrected file as the new current version",
    "files",
    form=schemas.VersionForm,
    response=schemas.VersionList,
    status=201,
    errors=(400, 403, 404, 413),
)
def upload_version(item_id: int) -> ResponseReturnValue:
    versions.check_may_change(kb(), item_id, viewer())  # before reading the bytes
    args = form_args(schemas.VersionForm(), skip=("file",))
    files = _files("file", [args["alt"]])
    if len(files) != 1:
        raise ValidationError("Bitte senden Sie genau eine Datei (file).", "Send one file.")
    version_id = versions.add_version(
        kb(), item_id, files[0], args["label"], viewer(), require_alt=True
    )
    response = list_versions(item_id)
    location = url_for("api.version_file", item_id=item_id, version_id=version_id)
    return response, 201, {"Location": location}


@bp.get("/items/<int:item_id>/versions/<int:version_id>/file")
@operation("Download a file version", "files", binary="*/*")
def version_file(item_id: int, version_id: int) -> ResponseReturnValue:
    found = item_service.file_for_download(kb(), item_id, version_id, viewer())
    # The bytes' SHA-256 is the ETag (not Werkzeug's mtime-based one): the same on every
    # app server and after a restore; send_file answers If-None-Match with 304.
    return send_file(
        found.path,
        mimetype=found.mime,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
        etag=found.path.name,
    )
