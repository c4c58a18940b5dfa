"""Request and response schemas (marshmallow): they parse input and feed the OpenAPI document.

Input schemas reject unknown fields (marshmallow's default ``RAISE``), wrong types and
out-of-range values with a 400 that names the field; output schemas describe exactly what
the serialisers in :mod:`kb.api.serialize` produce (the tests dump through them).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kb.models import ACCESS, KINDS, LICENCES, STATES, TOKEN_SCOPES
from kb.services.search import FACET_LABELS, SORTS

MAX_PER_PAGE = 100


# -- input -----------------------------------------------------------------


class PageArgs(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(1, 10_000), metadata={"description": "1-based"}
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PER_PAGE))


class ItemListArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    state = fields.String(validate=validate.OneOf(list(STATES)))
    access = fields.String(validate=validate.OneOf(list(ACCESS)))
    event = fields.String(validate=validate.Length(max=80), metadata={"description": "slug"})
    district = fields.String(validate=validate.Length(max=8), metadata={"description": "AGS"})
    topic = fields.String(validate=validate.Length(max=80), metadata={"description": "slug"})


def _search_fields() -> dict[str, fields.Field]:
    """The search page's parameters, plus one repeatable filter per facet (?kind=a&kind=b)."""
    out: dict[str, fields.Field] = {
        "q": fields.String(load_default="", validate=validate.Length(max=500)),
        "page": fields.Integer(load_default=1, validate=validate.Range(1, 1000)),
        "per_page": fields.Integer(load_default=10, validate=validate.Range(1, 50)),
        "sort": fields.String(load_default="relevance", validate=validate.OneOf(list(SORTS))),
    }
    for facet, label in FACET_LABELS.items():
        out[facet] = fields.List(
            fields.String(validate=validate.Length(max=200)),
            validate=validate.Length(max=20),
            metadata={"description": f"filter: {label}"},
        )
    return out


SearchArgs = Schema.from_dict(_search_fields(), name="SearchArgs")


class ItemMetaFields(Schema):
    """Descriptive fields shared by create (multipart) and update (JSON)."""

    title = fields.String(validate=validate.Length(max=500))
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    summary = fields.String(validate=validate.Length(max=5000))
    organisation = fields.String(validate=validate.Length(max=300))
    speakers = fields.String(
        validate=validate.Length(max=500), metadata={"description": "names, comma-separated"}
    )
    programme = fields.String(validate=validate.Length(max=120))
    access = fields.String(validate=validate.OneOf(list(ACCESS)))
    licence = fields.String(validate=validate.OneOf(list(LICENCES)))
    participants_only = fields.Boolean()
    topics = fields.List(
        fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=20)
    )
    districts = fields.List(
        fields.String(validate=validate.Length(max=8)), validate=validate.Length(max=14)
    )
    event = fields.String(
        allow_none=True,
        validate=validate.Length(max=80),
        metadata={"description": "slug; empty or null: no event"},
    )
    date = fields.Date(allow_none=True, metadata={"description": "null: no date"})


class ItemCreateForm(ItemMetaFields):
    files = fields.List(
        fields.Raw(metadata={"type": "string", "format": "binary"}),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "one or more files; each becomes its own item"},
    )
    alt = fields.List(
        fields.String(validate=validate.Length(max=500)),
        validate=validate.Length(max=1000),
        metadata={
            "description": "alternative text per file, in the order of `files` (empty for "
            "files that are not images); required for PNG and JPEG images"
        },
    )


class StateChange(Schema):
    target = fields.String(required=True, validate=validate.OneOf(list(STATES)))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class VersionForm(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=200))
    alt = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "an image's alternative text; empty: the current file's"},
    )
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class JobArgs(Schema):
    file = fields.List(
        fields.Integer(validate=validate.Range(1, 2**31 - 1)),
        required=True,
        validate=validate.Length(1, 100),
        metadata={"description": "file version ids, as returned by an upload"},
    )


class TokenScope(Schema):
    scope = fields.String(validate=validate.OneOf(list(TOKEN_SCOPES)))


# -- output ----------------------------------------------------------------


class Error(Schema):
    error = fields.String(required=True, metadata={"description": "machine-readable code"})
    message = fields.String(required=True, metadata={"description": "German or English text"})
    details = fields.Dict(metadata={"description": "invalid input: field -> messages"})


class Links(Schema):
    self = fields.String(required=True)
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)
    first = fields.String()
    last = fields.String()


class FileOut(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    mime = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    label = fields.String()
    is_current = fields.Boolean(required=True)
    status = fields.String(required=True, metadata={"description": "pending, done or failed"})
    page_count = fields.Integer()
    uploaded_at = fields.DateTime()
    alt_text = fields.String(metadata={"description": "what an image shows (empty otherwise)"})
    url = fields.String(required=True, metadata={"description": "download"})


class ItemOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    summary = fields.String()
    state = fields.String(required=True)
    access = fields.String(required=True)
    participants_only = fields.Boolean()
    date = fields.Date(allow_none=True)
    language = fields.String()
    programme = fields.String()
    licence = fields.String()
    speakers = fields.String()
    organisation = fields.String()
    event = fields.String(allow_none=True, metadata={"description": "slug"})
    districts = fields.List(fields.String(), metadata={"description": "AGS"})
    topics = fields.List(fields.String(), metadata={"description": "slugs"})
    tags = fields.List(fields.String())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    files = fields.List(fields.Nested(FileOut), metadata={"description": "current file(s)"})
    links = fields.Dict(keys=fields.String(), values=fields.String())


class ItemList(Schema):
    items = fields.List(fields.Nested(ItemOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    links = fields.Nested(Links, required=True)


class UploadOutcomeOut(Schema):
    filename = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "queued, failed, rejected or duplicate"}
    )
    item_id = fields.Integer(allow_none=True)
    file_version_id = fields.Integer(allow_none=True)
    sha256 = fields.String()
    message = fields.String(allow_none=True)


class UploadResult(Schema):
    outcomes = fields.List(fields.Nested(UploadOutcomeOut), required=True)


class VersionList(Schema):
    versions = fields.List(fields.Nested(FileOut), required=True)


class JobOut(Schema):
    file_version_id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    filename = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "reading, searchable, failed"})
    message = fields.String()


class JobList(Schema):
    jobs = fields.List(fields.Nested(JobOut), required=True)


class PageHit(Schema):
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    snippet = fields.String(required=True, metadata={"description": "HTML with <mark>"})


class Hit(Schema):
    id = fields.Integer(required=True)
    object_type = fields.String(required=True, metadata={"description": "item, event or qa"})
    title = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String()
    score = fields.Float()
    summary = fields.String()
    path = fields.String()
    validity = fields.String()
    pages = fields.List(fields.Nested(PageHit))
    files = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))


class FacetValueOut(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


class FacetOut(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    values = fields.List(fields.Nested(FacetValueOut), required=True)


class SearchResult(Schema):
    query = fields.String(required=True)
    total = fields.Integer(
        required=True, metadata={"description": "exact unless truncated; at most 1000"}
    )
    truncated = fields.Boolean(
        required=True,
        metadata={
            "description": "total is a lower bound: more than 1000 items matched, "
            "or the search was cut off by its time box"
        },
    )
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    sort = fields.String(required=True)
    hits = fields.List(fields.Nested(Hit), required=True)
    facets = fields.List(fields.Nested(FacetOut), required=True)
    filters = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    links = fields.Nested(Links, required=True)


class DistrictOut(Schema):
    ags = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String()


class DistrictList(Schema):
    districts = fields.List(fields.Nested(DistrictOut), required=True)
