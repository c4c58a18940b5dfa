"""``/api``: the API described for people, rendered on the server from the OpenAPI document.

No Swagger UI or Redoc from a CDN: the page is plain HTML under the site's own CSP, and
lists every operation with its parameters, so it can never drift from the document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from kb.api.spec import build_spec

bp = Blueprint("apidocs", __name__)


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", "")
                    or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "params": params,
                    "body": ", ".join(body),
                    "statuses": ", ".join(op.get("responses", {})),
                }
            )
    return sorted(out, key=lambda o: (o["tag"], o["path"], o["method"]))


@bp.get("/api")
def index() -> str:
    spec = build_spec(current_app)
    return render_template(
        "api.html", operations=_operations(spec), version=spec["info"]["version"]
    )
