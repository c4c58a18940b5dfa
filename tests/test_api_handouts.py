"""Handout bundles through /api/v1 (several items, one PDF, all or nothing) and the handout
documentation of the CLI."""

from __future__ import annotations

import io

import pypdf
import pytest
from api_helpers import assert_error, bearer, token_for
from conftest import open_app

URL = "/api/v1/handouts/bundle"


@pytest.fixture
def two(make_item):
    first = make_item("Erste Seite über Verwendungsnachweise", title="Leitfaden Nachweis")
    second = make_item("Folie über Arbeitgeberkooperation", title="Impuls Arbeitgeber")
    return first, second


def _reader(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.get_data()))


def _titles(entries, level=0):
    out = []
    for entry in entries:
        if isinstance(entry, list):
            out.extend(_titles(entry, level + 1))
        else:
            out.append((level, entry.title))
    return out


def test_bundle_in_the_order_given(client, two):
    first, second = two
    body = {
        "title": "Workshop Halle",
        "introduction": "Für die Runde.",
        "item_ids": [second, first],
    }
    response = client.post(URL, json=body)
    reader = _reader(response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="Mappe.pdf"'
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Workshop Halle" in text and "Für die Runde." in text
    assert text.index("Impuls Arbeitgeber") < text.index("Leitfaden Nachweis")
    outline = _titles(reader.outline)
    assert outline[0] == (0, "Workshop Halle")
    assert (1, "Impuls Arbeitgeber") in outline and (1, "Leitfaden Nachweis") in outline
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    english = client.post(URL, json=body, headers={"Accept-Language": "en"})
    assert _reader(english).trailer["/Root"]["/Lang"] == "en"


def test_defaults_and_duplicates(client, two):
    first, _ = two
    reader = _reader(client.post(URL, json={"item_ids": [first, first]}))
    outline = _titles(reader.outline)
    assert outline[0] == (0, "Mappe")  # the default title
    assert [t for level, t in outline if level == 1] == ["Inhalt", "Leitfaden Nachweis"]  # once


def test_one_hidden_item_makes_the_whole_request_not_found(client, kb, two, add_user, set_item):
    first, second = two
    set_item(second, state="draft", access="internal")
    hidden = client.post(URL, json={"item_ids": [first, second]})
    body = assert_error(hidden, 404, "not_found")
    assert not hidden.data.startswith(b"%PDF") and "Impuls" not in body["message"]
    assert_error(client.post(URL, json={"item_ids": [first, 999999]}), 404, "not_found")
    uid = add_user("red", "redaktion")
    editor = client.post(URL, json={"item_ids": [first, second]},
                         headers=bearer(token_for(kb, uid, "write", "redaktion")))  # fmt: skip
    titles = [t for level, t in _titles(_reader(editor).outline) if level == 1]
    assert titles == ["Inhalt", "Leitfaden Nachweis", "Impuls Arbeitgeber"]


def test_empty_too_long_and_malformed_lists(client, two):
    first, _ = two
    empty = assert_error(client.post(URL, json={"item_ids": []}), 400, "invalid")
    assert empty["message"] == "Bitte nennen Sie mindestens einen Eintrag (item_ids)."
    long = assert_error(client.post(URL, json={"item_ids": list(range(1, 52))}), 400, "invalid")
    assert long["message"] == "Ein Handout fasst höchstens 50 Einträge; Sie haben 51 genannt."
    english = client.post(URL, json={"item_ids": []}, headers={"Accept-Language": "en"})
    assert assert_error(english, 400)["message"] == "Please name at least one item (item_ids)."
    assert "item_ids" in assert_error(client.post(URL, json={"title": "X"}), 400)["details"]
    assert "item_ids" in assert_error(client.post(URL, json={"item_ids": ["a"]}), 400)["details"]
    assert "item_ids" in assert_error(client.post(URL, json={"item_ids": first}), 400)["details"]
    assert (
        "colour"
        in assert_error(client.post(URL, json={"item_ids": [first], "colour": "rot"}), 400)[
            "details"
        ]
    )
    assert (
        "title"
        in assert_error(client.post(URL, json={"item_ids": [first], "title": "x" * 201}), 400)[
            "details"
        ]
    )
    assert_error(client.post(URL, data="{kaputt", content_type="application/json"), 400)
    assert_error(client.post(URL, data="item_ids=1"), 400)
    assert_error(client.get(URL), 405, "method_not_allowed")


def test_a_read_token_may_build_a_bundle(client, kb, two, add_user):
    """It only reads (each item's handout is readable with the same token), so scope read."""
    first, _ = two
    uid = add_user("leser", "leser")
    read = bearer(token_for(kb, uid, "read"))
    assert _reader(client.post(URL, json={"item_ids": [first]}, headers=read))
    # Other POSTs stay closed to a read token.
    assert_error(client.post("/api/v1/qa", json={"question": "X?"}, headers=read), 403)


def test_session_callers_still_need_the_csrf_header(tmp_path, template_db):
    app = open_app(tmp_path / "csrf", template_db, WTF_CSRF_ENABLED=True)
    try:
        assert_error(app.test_client().post(URL, json={"item_ids": [1]}), 400, "csrf")
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])


def test_openapi_describes_the_bundle(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/handouts/bundle"]["post"]
    assert "application/pdf" in post["responses"]["200"]["content"]
    assert {"400", "404"} <= set(post["responses"])
    bundle = spec["components"]["schemas"]["BundleIn"]
    assert bundle["required"] == ["item_ids"]
    assert bundle["properties"]["item_ids"]["maxItems"] == 50
    assert bundle["properties"]["item_ids"]["minItems"] == 1
    guidance = spec["paths"]["/api/v1/guidance/{item_id}/handout.pdf"]["get"]
    assert "same PDF" in guidance["description"]


def test_cli_handout_help_names_the_guidance_handout(runner):
    result = runner.invoke(args=["handout", "--help"])
    assert result.exit_code == 0
    assert "Leitfaden-Handout" in result.output and "--guidance" in result.output
