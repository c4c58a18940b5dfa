"""The OpenAPI 3.1 document, generated from the API's own routes and schemas.

Each view carries its operation (summary, input and output schemas, possible errors) in
an :func:`operation` decorator; :func:`build_spec` walks the app's URL map, so a route
without a description cannot hide, and the schemas that parse input are the ones the
document shows. apispec turns the marshmallow schemas into JSON Schema components.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from kb.api import schemas

API_VERSION = "1.0.0"
_CONVERTER = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")
#: JSON Schema of a path parameter by its Flask converter: ids are 32-bit, slugs are our own.
_PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "string": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": "^[a-z0-9-]+$"},
}
_ERROR_TEXT = {
    400: "Invalid input",
    401: "Invalid, revoked or missing token",
    403: "Not allowed (role or token scope)",
    404: "Not found (or not visible to you)",
    409: "Conflicts with what exists (e.g. the event still has materials)",
    413: "Too large",
    429: "Rate limit reached (see Retry-After)",
}


def operation(
    summary: str,
    tag: str,
    *,
    query: type | None = None,
    json: type | None = None,
    form: type | None = None,
    response: type | None = None,
    status: int = 200,
    binary: str | None = None,
    errors: tuple[int, ...] = (400, 404),
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Describe a view for the OpenAPI document (it changes nothing at run time)."""
    op: dict[str, Any] = {"summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    if query is not None:
        op["parameters"] = [{"in": "query", "schema": query}]
    if json is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": json}},
        }
    if form is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
    responses: dict[str, Any] = {}
    if binary:
        responses[str(status)] = {
            "description": "The file",
            "content": {binary: {"schema": {"type": "string", "contentMediaType": binary}}},
        }
    elif response is not None:
        responses[str(status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": response}},
        }
    else:
        responses[str(status)] = {"description": "Done"}
    if status == 200:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for code in sorted({*errors, 401, 429}):
        responses[str(code)] = {
            "description": _ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": schemas.Error}},
        }
    op["responses"] = responses

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view._openapi = op  # type: ignore[attr-defined]
        return view

    return decorate


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of every ``api.*`` route of ``app``."""
    spec = APISpec(
        title="kb – Wissensdatenbank der kommunalen Integrationskoordination",
        version=API_VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Items, files, search, districts, jobs, series, events, guidance, "
            "deadlines, Q&A and handouts. Errors are "
            '`{"error": code, "message": text}`; German unless Accept-Language prefers '
            "English. Authentication: the browser session, or a personal token as "
            "`Authorization: Bearer kb_…` (scope read or write)."
        },
        servers=[{"url": app.config.get("KB_BASE_URL", "")}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        op = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if op is None:
            continue
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        ops = paths.setdefault(path, {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            ops[method.lower()] = _with_path_params(op, rule.rule, rule.endpoint)
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    out = spec.to_dict()
    out["security"] = [{"bearer": []}, {"session": []}, {}]
    return out


def _with_path_params(op: dict[str, Any], rule: str, endpoint: str) -> dict[str, Any]:
    params = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": _PATH_SCHEMAS[converter or "string"],
        }
        for converter, name in sorted(_CONVERTER.findall(rule), key=lambda c: c[1])
    ]
    return {
        **op,
        "operationId": endpoint.removeprefix("api."),
        "parameters": params + list(op.get("parameters", [])),
    }
