"""Parsing input and shaping output the same way in every API view."""

from __future__ import annotations

from typing import Any

from flask import Request, request, url_for
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from kb.errors import ValidationError


class InvalidInput(ValidationError):
    """Input that does not fit the schema; ``details`` names each field's problem."""

    code = "invalid"
    status = 400

    def __init__(self, details: dict[str, Any]) -> None:
        fields = ", ".join(sorted(details))[:200]
        super().__init__(
            f"Die Angaben sind ungültig ({fields}).", f"The input is invalid ({fields})."
        )
        self.details = details


def _from_multidict(schema: Schema, data: MultiDict[str, Any]) -> dict[str, Any]:
    """Query strings and forms: list fields take every value, the others the first."""
    from marshmallow import fields

    out: dict[str, Any] = {}
    for key in data:
        field = schema.fields.get(key)
        out[key] = data.getlist(key) if isinstance(field, fields.List) else data.get(key)
    return out


def load(schema: Schema, data: Any, partial: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate ``data``; unknown fields, wrong types and bad values raise :class:`InvalidInput`.

    :param partial: required fields checked elsewhere (files, read from ``request.files``).
    """
    try:
        return schema.load(data, partial=partial)  # type: ignore[no-any-return]
    except SchemaError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        raise InvalidInput(messages) from exc


def query_args(schema: Schema, req: Request | None = None) -> dict[str, Any]:
    return load(schema, _from_multidict(schema, (req or request).args))


def form_args(schema: Schema, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Multipart form fields (the files are read separately from ``request.files``)."""
    data = _from_multidict(schema, request.form)
    return load(schema, {k: v for k, v in data.items() if k not in skip}, partial=skip)


def json_body(schema: Schema) -> dict[str, Any]:
    """The JSON body: malformed JSON or a body that is not an object is a 400, not a 500."""
    if not request.is_json:
        raise ValidationError(
            "Bitte senden Sie JSON (Content-Type: application/json).",
            "Please send JSON (Content-Type: application/json).",
        )
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(
            "Der Inhalt ist kein gültiges JSON-Objekt.", "The body is not a valid JSON object."
        )
    return load(schema, data)


def page_links(endpoint: str, page: int, per_page: int, total: int, **params: Any) -> dict:
    """``self``/``first``/``last``/``next``/``prev`` URLs for a paged list (absolute)."""
    last = max(1, -(-total // per_page))

    def url(number: int) -> str:
        return url_for(endpoint, page=number, per_page=per_page, _external=True, **params)

    return {
        "self": url(page),
        "first": url(1),
        "last": url(last),
        "next": url(page + 1) if page < last else None,
        "prev": url(page - 1) if page > 1 else None,
    }
