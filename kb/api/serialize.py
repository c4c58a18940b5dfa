"""Plain JSON-ready dicts from services' objects (read inside the caller's session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for

from kb.models import FileVersion, Item
from kb.services.items import FileStatus, UploadOutcome
from kb.services.search import SearchPage


def utc(value: dt.datetime | None) -> str | None:
    """RFC 3339 with the zone: the database keeps naive UTC times."""
    return value.replace(tzinfo=dt.UTC).isoformat() if value else None


def file_out(item_id: int, fv: FileVersion) -> dict[str, Any]:
    return {
        "id": fv.id,
        "filename": fv.filename,
        "mime": fv.mime,
        "size": fv.size,
        "sha256": fv.sha256,
        "label": fv.label,
        "is_current": fv.is_current,
        "status": fv.status,
        "page_count": fv.page_count,
        "uploaded_at": utc(fv.uploaded_at),
        "alt_text": fv.alt_text,
        "url": url_for("api.version_file", item_id=item_id, version_id=fv.id, _external=True),
    }


def item_out(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "kind": item.kind,
        "summary": item.summary,
        "state": item.state,
        "access": item.access,
        "participants_only": item.participants_only,
        "date": item.date.isoformat() if item.date else None,
        "language": item.language,
        "programme": item.programme,
        "licence": item.licence,
        "speakers": item.speakers,
        "organisation": item.organisation,
        "event": item.event.slug if item.event else None,
        "districts": [d.ags for d in item.districts],
        "topics": [t.name for t in item.topics],
        "tags": [t.name for t in item.tags],
        "created_at": utc(item.created_at),
        "updated_at": utc(item.updated_at),
        "files": [file_out(item.id, f) for f in item.files if f.is_current],
        "links": {
            "self": url_for("api.get_item", item_id=item.id, _external=True),
            "html": url_for("pages.item", item_id=item.id, _external=True),
            "handout": url_for("api.item_handout", item_id=item.id, _external=True),
            "versions": url_for("api.list_versions", item_id=item.id, _external=True),
        },
    }


def outcome_out(outcome: UploadOutcome, lang: str) -> dict[str, Any]:
    return {
        "filename": outcome.filename,
        "status": outcome.status,
        "item_id": outcome.item_id,
        "file_version_id": outcome.file_version_id,
        "sha256": outcome.sha256,
        "message": outcome.messages.get(lang) or outcome.messages.get("de"),
    }


def job_out(status: FileStatus, lang: str) -> dict[str, Any]:
    return {
        "file_version_id": status.file_version_id,
        "item_id": status.item_id,
        "filename": status.filename,
        "state": status.state,
        "message": status.message_en if lang == "en" else status.message_de,
    }


def search_out(result: SearchPage, links: dict[str, Any]) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "truncated": result.truncated,
        "page": result.page,
        "per_page": result.page_size,
        "sort": result.sort,
        "filters": {k: v for k, v in result.filters.items() if v},
        "hits": [
            {
                "id": h.item_id,
                "object_type": h.object_type,
                "title": h.title,
                "kind": h.kind,
                "kind_label": h.kind_label,
                "score": h.score,
                "summary": h.summary,
                "path": h.path,
                "validity": h.validity,
                "pages": [
                    {"number": p.number, "label": p.label, "snippet": p.snippet} for p in h.pages
                ],
                "files": h.files,
            }
            for h in result.hits
        ],
        "facets": [
            {
                "name": f.name,
                "label": f.label,
                "values": [
                    {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                    for v in f.values
                ],
            }
            for f in result.facets
        ],
        "links": links,
    }
