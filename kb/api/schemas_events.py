"""Schemas of series, events and programmes (input and output; see :mod:`kb.api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kb.api.schemas import Links, PageArgs
from kb.models import ACCESS
from kb.services.agenda import MAX_ENTRIES

SLUG = {"description": "slug", "pattern": "^[a-z0-9-]+$"}

# -- input -----------------------------------------------------------------


class EventListArgs(PageArgs):
    series = fields.String(validate=validate.Length(max=80), metadata=SLUG)
    year = fields.Integer(validate=validate.Range(1900, 2200))
    district = fields.String(validate=validate.Length(max=8), metadata={"description": "AGS"})
    upcoming = fields.Boolean(
        metadata={"description": "true: not yet over (soonest first); false: over"}
    )


class EventFields(Schema):
    """An event's fields; PATCH sends any of them, POST at least title and starts_on."""

    title = fields.String(validate=validate.Length(max=300))
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    series = fields.String(allow_none=True, validate=validate.Length(max=80), metadata=SLUG)
    new_series = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "title of a new series to create (wins over `series`)"},
    )
    number = fields.Integer(allow_none=True, validate=validate.Range(1, 9999))
    city = fields.String(validate=validate.Length(max=120))
    venue = fields.String(validate=validate.Length(max=300))
    host_district = fields.String(
        allow_none=True, validate=validate.Length(max=8), metadata={"description": "AGS"}
    )
    description = fields.String(validate=validate.Length(max=20000))
    access = fields.String(validate=validate.OneOf(list(ACCESS)))


class EventCreate(EventFields):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    starts_on = fields.Date(required=True)


class EventDeleteArgs(Schema):
    detach_materials = fields.Boolean(
        load_default=False,
        metadata={"description": "true: delete although materials exist (they are kept)"},
    )


class AgendaEntryIn(Schema):
    starts_at = fields.String(
        load_default="", validate=validate.Length(max=20), metadata={"description": "HH:MM"}
    )
    ends_at = fields.String(load_default="", validate=validate.Length(max=20))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    speakers = fields.List(
        fields.String(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "names; each becomes (or finds) a person"},
    )
    item_id = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(1, 2**31 - 1)
    )
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class AgendaIn(Schema):
    entries = fields.List(
        fields.Nested(AgendaEntryIn),
        required=True,
        validate=validate.Length(max=MAX_ENTRIES),
        metadata={"description": "the whole programme, in order (replaces the old one)"},
    )


# -- output ----------------------------------------------------------------


class EventSummaryOut(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    access = fields.String(required=True)
    series = fields.String(allow_none=True, metadata={"description": "slug"})
    series_title = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    city = fields.String()
    venue = fields.String()
    host_district = fields.String(allow_none=True, metadata={"description": "AGS"})
    host_district_name = fields.String(allow_none=True)
    upcoming = fields.Boolean(required=True, metadata={"description": "not yet over"})
    links = fields.Dict(keys=fields.String(), values=fields.String())


class EventList(Schema):
    events = fields.List(fields.Nested(EventSummaryOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    links = fields.Nested(Links, required=True)


class EventFileOut(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    mime = fields.String(required=True)
    size = fields.Integer(required=True)
    page_count = fields.Integer()
    url = fields.String(required=True, metadata={"description": "download"})


class EventItemOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String()
    summary = fields.String()
    speakers = fields.String()
    files = fields.List(fields.Nested(EventFileOut), required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())


class SpeakerOut(Schema):
    name = fields.String(required=True)
    organisation = fields.String()


class ProgrammeEntryOut(Schema):
    time = fields.String(metadata={"description": "10:30–11:15, 10:30 or empty"})
    starts_at = fields.String()
    ends_at = fields.String()
    title = fields.String(required=True)
    speakers = fields.List(fields.Nested(SpeakerOut), required=True)
    note = fields.String()
    item = fields.Nested(
        EventItemOut,
        allow_none=True,
        metadata={"description": "the talk, if there is one and you may see it"},
    )


class EventOut(EventSummaryOut):
    description = fields.String()
    programme = fields.List(fields.Nested(ProgrammeEntryOut), required=True)
    items = fields.List(
        fields.Nested(EventItemOut),
        required=True,
        metadata={"description": "every material of the event you may see"},
    )


class SeriesOut(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String()
    event_count = fields.Integer(required=True, metadata={"description": "events you may see"})
    links = fields.Dict(keys=fields.String(), values=fields.String())


class SeriesList(Schema):
    series = fields.List(fields.Nested(SeriesOut), required=True)


class SeriesDetail(SeriesOut):
    events = fields.List(fields.Nested(EventSummaryOut), required=True)
