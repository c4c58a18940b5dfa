"""Two app servers on one PostgreSQL: each with its own index, one shared blob store.

The set-up of a larger deployment (docs/deploy/): ``kb serve`` twice, as two
processes with different ``KB_DATA_DIR`` (so different index folders) and the same
``KB_DATABASE_URL`` and ``KB_BLOB_DIR``. A file uploaded through one server must be
found and downloaded through the other: its indexer is fed from the shared index log
and woken by NOTIFY, and the bytes come from the shared store.
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from browser_support import KbServer
from databases import TemplateDatabase

pytestmark = pytest.mark.postgres

#: How long the other server may take to make the upload findable (it takes about a second).
CONVERGE_SECONDS = 30


@pytest.fixture
def two_servers(tmp_path: Path, template_db: TemplateDatabase) -> Iterator[tuple[KbServer, ...]]:
    url = template_db.new(tmp_path)
    blobs = tmp_path / "shared-blobs"
    with (
        KbServer(tmp_path / "a", database_url=url, blob_dir=blobs) as a,
        KbServer(tmp_path / "b", database_url=url, blob_dir=blobs) as b,
    ):
        yield a, b
    template_db.release(url)


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _upload(server: KbServer, name: str, data: bytes) -> str:
    """Upload through the form like a browser (session cookie and CSRF token); return the
    result page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{server.base_url}/upload", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the upload form"
    body, content_type = _multipart({"csrf_token": token.group(1), "kind": "protokoll"}, name, data)
    request = urllib.request.Request(
        f"{server.base_url}/upload", data=body, headers={"Content-Type": content_type}
    )
    with opener.open(request, timeout=60) as response:
        assert response.status == 201
        return response.read().decode()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_upload_on_one_server_is_found_and_downloaded_on_the_other(two_servers):
    a, b = two_servers
    word = "Zweiserverprobe"
    data = f"Protokoll der Fragerunde\n\nDas Stichwort lautet {word}.\n".encode()
    page = _upload(a, "fragerunde.txt", data)
    item_id = re.search(r'href="/items/(\d+)"', page)
    file_id = re.search(r'data-file-id="(\d+)"', page)
    assert item_id and file_id, page
    search_url = f"{b.base_url}/search?" + urllib.parse.urlencode({"q": word})
    deadline = time.monotonic() + CONVERGE_SECONDS
    found = False
    while not found and time.monotonic() < deadline:
        found = f'href="/items/{item_id.group(1)}' in _get(search_url).decode()
        if not found:
            time.sleep(0.2)
    assert found, f"server B did not find the upload; its log:\n{b.log_tail()}"
    download = _get(f"{b.base_url}/items/{item_id.group(1)}/files/{file_id.group(1)}")
    assert download == data
    assert b'"status":"ok"' in _get(f"{b.base_url}/healthz").replace(b" ", b"")
