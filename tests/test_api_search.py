"""/api/v1/search gives what the search page gives: same hits, facets and filters."""

from __future__ import annotations

import re

from api_helpers import assert_error


def _page_ids(client, qs: str) -> list[int]:
    html = client.get(f"/search?{qs}").data.decode()
    return [int(n) for n in re.findall(r'<a[^>]+href="/items/(\d+)"', html)]


def test_search_parity_with_the_page(client, make_item):
    a = make_item("Wohnsitzauflage und Integrationskurs", title="Wohnsitz", kind="leitfaden")
    b = make_item("Integrationskurs in Halle", title="Kurse", kind="protokoll", districts=["15002"])
    make_item("Etwas ganz anderes", title="Anderes")
    for qs in ("q=Integrationskurs", "q=Integrationskurs&kind=protokoll", "q=Wohnsitz*"):
        api = client.get(f"/api/v1/search?{qs}").get_json()
        assert [h["id"] for h in api["hits"]] == list(dict.fromkeys(_page_ids(client, qs))), qs
    body = client.get("/api/v1/search?q=Integrationskurs").get_json()
    assert {h["id"] for h in body["hits"]} == {a, b} and body["total"] == 2
    kinds = {f["name"]: f for f in body["facets"]}["kind"]["values"]
    assert {v["value"]: v["count"] for v in kinds} == {"leitfaden": 1, "protokoll": 1}
    filtered = client.get("/api/v1/search?q=Integrationskurs&district=15002").get_json()
    assert [h["id"] for h in filtered["hits"]] == [b]
    assert filtered["filters"] == {"district": ["15002"]}
    negated = client.get("/api/v1/search?q=Integrationskurs NICHT Halle").get_json()
    assert [h["id"] for h in negated["hits"]] == [a]
    hit = body["hits"][0]
    assert hit["pages"] and "<mark>" in hit["pages"][0]["snippet"]


def test_search_paging_links(client, make_item):
    for n in range(3):
        make_item(f"Gemeinsames Stichwort {n}", title=f"T{n}")
    first = client.get("/api/v1/search?q=Stichwort&per_page=2").get_json()
    assert first["total"] == 3 and len(first["hits"]) == 2
    assert "q=Stichwort" in first["links"]["next"] and first["links"]["prev"] is None
    second = client.get(first["links"]["next"]).get_json()
    assert len(second["hits"]) == 1 and second["links"]["next"] is None


def test_search_bad_input(client):
    assert_error(client.get("/api/v1/search?per_page=1000"), 400, "invalid")
    assert_error(client.get("/api/v1/search?sort=alphabet"), 400, "invalid")
    assert_error(client.get("/api/v1/search?page=0"), 400, "invalid")
    assert_error(client.get("/api/v1/search?allow=editor"), 400, "invalid")
    assert_error(client.get("/api/v1/search?q=" + "x" * 600), 400, "invalid")
    assert client.get("/api/v1/search?q=((( UND").status_code == 200
