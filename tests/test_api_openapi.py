"""The OpenAPI document: 3.1, every API route described, references resolve, and real
responses fit the schemas it names (the same marshmallow schemas, loaded strictly)."""

from __future__ import annotations

from api_helpers import bearer, token_for

from kb.api import schemas


def _refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value)
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _as_rule(path, op):
    """The Flask rule of a documented path: integer parameters are ``<int:…>``, slugs plain."""
    kinds = {p["name"]: p["schema"]["type"] for p in op["parameters"] if p["in"] == "path"}
    for name, kind in kinds.items():
        path = path.replace("{" + name + "}", f"<int:{name}>" if kind == "integer" else f"<{name}>")
    return path


def test_document_is_openapi_31_and_complete(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    api_rules = {
        (r.rule, m.lower())
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    described = {
        (_as_rule(path, op), method)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    assert described == api_rules
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["responses"] and op["summary"], (path, method)
            assert "429" in op["responses"]
            for param in op.get("parameters", []):
                assert param["in"] in ("query", "path") and "schema" in param
                if param["in"] == "path":
                    assert "{" + param["name"] + "}" in path
    components = spec["components"]["schemas"]
    for ref in _refs(spec, set()):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components
    assert {"bearer", "session"} <= set(spec["components"]["securitySchemes"])


def _fits(schema, body):
    errors = schema().validate(body)
    assert errors == {}, errors


def test_responses_fit_their_schemas(client, kb, add_user, make_item):
    item_id = make_item("Wohnsitzauflage im Landkreis", title="Eintrag", districts=["15002"])
    headers = bearer(token_for(kb, add_user("red", "redaktion"), "write", "redaktion"))
    _fits(schemas.ItemList, client.get("/api/v1/items", headers=headers).get_json())
    _fits(schemas.ItemOut, client.get(f"/api/v1/items/{item_id}", headers=headers).get_json())
    versions = client.get(f"/api/v1/items/{item_id}/versions", headers=headers).get_json()
    _fits(schemas.VersionList, versions)
    _fits(schemas.SearchResult, client.get("/api/v1/search?q=Wohnsitzauflage").get_json())
    _fits(schemas.DistrictList, client.get("/api/v1/districts").get_json())
    fv = versions["versions"][0]["id"]
    _fits(schemas.JobList, client.get(f"/api/v1/jobs?file={fv}").get_json())
    _fits(schemas.Error, client.get("/api/v1/items/999").get_json())


def test_human_readable_page(client):
    page = client.get("/api")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.data.decode()
    assert "GET /api/v1/items" in html and "DELETE /api/v1/items/{item_id}" in html
    assert "/api/v1/openapi.json" in html
    assert "https://" not in html.replace("https://www.", "")  # no CDN assets
    assert "<script" not in html or 'src="/static/' in html
