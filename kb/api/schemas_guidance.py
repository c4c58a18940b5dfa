"""Schemas of guidance, deadlines, Q&A entries and handout bundles (see :mod:`kb.api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kb.api.schemas import Links, PageArgs
from kb.models import ACCESS
from kb.services.deadlines import MAX_ROWS
from kb.services.mappe import MAX_ITEMS
from kb.services.validity import VALIDITY_LABELS

ID = validate.Range(1, 2**31 - 1)
#: The "Fristen" page looks 120 days ahead; a script may look up to two years.
MAX_DAYS = 730

# -- input -----------------------------------------------------------------


class GuidanceListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(list(VALIDITY_LABELS)))


class DeadlineIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class GuidanceIn(Schema):
    """PUT replaces the guidance fields; ``deadlines`` only when sent."""

    issuing_body = fields.String(
        required=True,
        validate=validate.Length(max=300),
        metadata={"description": "name or short name; empty for none"},
    )
    valid_from = fields.Date(required=True, allow_none=True)
    valid_until = fields.Date(required=True, allow_none=True)
    supersedes_id = fields.Integer(
        required=True,
        allow_none=True,
        validate=ID,
        metadata={"description": "the guidance item this edition replaces"},
    )
    body = fields.String(
        required=True,
        validate=validate.Length(max=100_000),
        metadata={"description": "Markdown; task lists are the checklist"},
    )
    deadlines = fields.List(
        fields.Nested(DeadlineIn),
        validate=validate.Length(max=MAX_ROWS),
        metadata={"description": "when sent, replaces all deadlines ([] removes them)"},
    )


class DeadlineArgs(Schema):
    days = fields.Integer(
        load_default=120,
        validate=validate.Range(1, MAX_DAYS),
        metadata={"description": "how far ahead, from today"},
    )


class QAListArgs(PageArgs):
    guidance = fields.Integer(validate=ID, metadata={"description": "guidance item id"})
    event = fields.String(validate=validate.Length(max=80), metadata={"description": "event slug"})


class QAFields(Schema):
    """A Q&A entry's fields; PATCH sends any of them, POST at least the question."""

    question = fields.String(validate=validate.Length(min=1, max=10_000))
    answer = fields.String(validate=validate.Length(max=50_000))
    answering_body = fields.String(validate=validate.Length(max=300))
    asked_on = fields.Date(allow_none=True)
    event = fields.String(
        allow_none=True, validate=validate.Length(max=80), metadata={"description": "slug"}
    )
    access = fields.String(validate=validate.OneOf(list(ACCESS)))
    guidance_ids = fields.List(fields.Integer(validate=ID), validate=validate.Length(max=50))


class QACreate(QAFields):
    question = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class BundleIn(Schema):
    title = fields.String(load_default="Mappe", validate=validate.Length(max=200))
    introduction = fields.String(load_default="", validate=validate.Length(max=5000))
    item_ids = fields.List(
        fields.Integer(validate=ID),
        required=True,
        metadata={
            "description": f"1 to {MAX_ITEMS} items, in this order; one you may not see "
            "makes the whole request 404",
            "minItems": 1,
            "maxItems": MAX_ITEMS,
        },
    )


# -- output ----------------------------------------------------------------


class ValidityOut(Schema):
    status = fields.String(required=True, metadata={"description": ", ".join(VALIDITY_LABELS)})
    label = fields.String(required=True)
    banner = fields.String(required=True, metadata={"description": "as on the page (German)"})
    note = fields.String()


class Neighbour(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    valid_from = fields.Date(allow_none=True)


class GuidanceRowOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    issuing_body = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    validity = fields.Nested(ValidityOut, required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())


class GuidanceList(Schema):
    guidance = fields.List(fields.Nested(GuidanceRowOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    links = fields.Nested(Links, required=True)


class DeadlineOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    due_on = fields.Date(required=True)
    note = fields.String()


class QAOut(Schema):
    id = fields.Integer(required=True)
    question = fields.String(required=True)
    answer = fields.String()
    answering_body = fields.String()
    asked_on = fields.Date(allow_none=True)
    access = fields.String(required=True)
    event = fields.Dict(
        keys=fields.String(), values=fields.String(), allow_none=True,
        metadata={"description": "slug and title, if you may see the event"},
    )  # fmt: skip
    guidance = fields.List(
        fields.Nested(Neighbour),
        required=True,
        metadata={"description": "linked guidance you may see"},
    )
    links = fields.Dict(keys=fields.String(), values=fields.String())


class QAList(Schema):
    qa = fields.List(fields.Nested(QAOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    links = fields.Nested(Links, required=True)


class GuidanceOut(GuidanceRowOut):
    summary = fields.String()
    state = fields.String(required=True)
    access = fields.String(required=True)
    programme = fields.String()
    predecessor = fields.Nested(
        Neighbour, allow_none=True, metadata={"description": "if you may see it"}
    )
    successor = fields.Nested(
        Neighbour, allow_none=True, metadata={"description": "if you may see it"}
    )
    body = fields.String(metadata={"description": "Markdown"})
    deadlines = fields.List(fields.Nested(DeadlineOut), required=True)
    faq = fields.List(fields.Nested(QAOut), required=True)


class LineOut(Schema):
    change = fields.String(required=True, metadata={"description": "same, added or removed"})
    text = fields.String(required=True)


class PageChangeOut(Schema):
    number = fields.Integer(required=True)
    lines = fields.List(fields.Nested(LineOut), required=True)


class ChangesOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    predecessor = fields.Nested(Neighbour, required=True)
    unit = fields.String(required=True, metadata={"description": "page, slide, …"})
    pages = fields.List(fields.Nested(PageChangeOut), required=True)
    body = fields.List(fields.Nested(LineOut), required=True)
    whats_new = fields.List(fields.String(), required=True)


class UpcomingOut(Schema):
    date = fields.Date(required=True)
    kind = fields.String(
        required=True, metadata={"description": "deadline, or valid_from (guidance starts)"}
    )
    title = fields.String(required=True)
    note = fields.String()
    item = fields.Nested(Neighbour, allow_none=True)
    event = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)


class DeadlineList(Schema):
    start = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    deadlines = fields.List(fields.Nested(UpcomingOut), required=True)
