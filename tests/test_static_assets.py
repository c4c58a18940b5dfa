"""Static files carry a content fingerprint and are cached for a year (issue #10, speed)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import open_app

from kb.web.assets import LONG_CACHE, SHORT_CACHE

STATIC = Path(__file__).resolve().parents[1] / "kb" / "web" / "static"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_urls(html: str) -> list[str]:
    return STATIC_URL.findall(html)


def fetch(client, url: str, **kwargs):  # type: ignore[no-untyped-def]
    """GET ``url``, read the body and close the response (a static file is a stream)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_every_static_url_in_a_page_carries_the_content_hash(client, make_item):
    make_item("Patenschaften im Ehrenamt", title="Patenschaften")
    pages = [client.get(path).get_data(as_text=True) for path in ("/", "/search?q=Patenschaften")]
    urls = {url for html in pages for url in static_urls(html)}
    assert {"kb.css", "complete.js", "search.js"} <= {u.split("?")[0][8:] for u in urls}, urls
    for url in urls:
        name, _, query = url.partition("?")
        assert query == f"v={fingerprint(STATIC / name[len('/static/') :])}", url


def test_the_hash_changes_when_the_file_changes(tmp_path, template_db):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    app = open_app(tmp_path / "data", template_db, STATIC_DIR=static)
    try:
        client = app.test_client()
        before = [u for u in static_urls(client.get("/").get_data(as_text=True)) if "kb.css" in u]
        with (static / "kb.css").open("a", encoding="utf-8") as css:
            css.write("\n.new-rule { color: #000; }\n")
        after = [u for u in static_urls(client.get("/").get_data(as_text=True)) if "kb.css" in u]
        assert before and after and before != after
        assert after == [f"/static/kb.css?v={fingerprint(static / 'kb.css')}"]
        # The new URL is the one cached for a year; the old one now gets the short cache.
        assert fetch(client, after[0]).headers["Cache-Control"] == LONG_CACHE
        assert fetch(client, before[0]).headers["Cache-Control"] == SHORT_CACHE
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])


def test_fingerprinted_responses_are_cached_for_a_year_others_briefly(client):
    url = next(u for u in static_urls(client.get("/").get_data(as_text=True)) if "kb.css" in u)
    fresh = fetch(client, url)
    assert fresh.status_code == 200
    assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fresh.get_data() == (STATIC / "kb.css").read_bytes()
    for other in ("/static/kb.css", "/static/kb.css?v=000000000000"):
        response = fetch(client, other)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == SHORT_CACHE, other
    # A revalidation of the fingerprinted URL keeps the long cache on its 304.
    again = fetch(client, url, headers={"If-None-Match": fresh.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == LONG_CACHE
    # Pages themselves are never marked immutable.
    assert "immutable" not in client.get("/").headers.get("Cache-Control", "")


def test_missing_and_escaping_static_paths_stay_404(client):
    for path in ("/static/nope.css?v=abc", "/static/../kb/app.py", "/static/%2e%2e/app.py"):
        assert fetch(client, path).status_code == 404, path
