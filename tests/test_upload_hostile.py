"""Hostile and odd uploads: file names, size limits per file and per request, a client that
disconnects halfway, the same file at the same moment. Each ends in a clear status, with no
partial blob, no orphan row and no lost sibling; ``kb check`` stays clean."""

from __future__ import annotations

import io
import threading

import pytest
from conftest import open_app, post_multipart
from sqlalchemy import func, select

from kb.models import FileVersion, Item
from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.check import run_check
from kb.services.items import ItemMeta, UploadFile, upload_files


def _count(kb, model) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count(model.id)))


def _clean(kb) -> None:
    report = run_check(kb)
    assert not report.problems, report.problems


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.txt", "....boot.ini.txt"),  # the browser-side path is dropped
        ("Protokoll\x07\x1b[31m.txt", "Protokoll[31m.txt"),
        ("Rechnung\u202etxt.exe", "Rechnungtxt.exe"),  # no right-to-left override tricks
        ("Ä" * 127 + ".txt", "Ä" * 127 + ".txt"),  # 258 bytes in UTF-8
    ],
)
def test_odd_file_names_are_kept_but_never_used_as_paths(client, kb, upload, sent, stored):
    response = upload([(sent, b"Inhalt der Datei")])
    assert response.status_code == 201
    with kb.db.reading() as session:
        fv = session.scalar(select(FileVersion))
        assert fv.filename == stored[:255]
        file_id, item_id = fv.id, fv.item_id
    with client.get(f"/items/{item_id}/files/{file_id}") as download:
        assert download.status_code == 200
        assert download.get_data() == b"Inhalt der Datei"
        disposition = download.headers["Content-Disposition"]
        assert "/" not in disposition.split("filename", 1)[1].split(";")[0]
        assert "\x07" not in disposition and "\x1b" not in disposition
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "\x1b" not in page and "\x07" not in page  # control characters are gone
    _clean(kb)


def test_a_file_over_the_per_file_limit_is_refused_and_its_sibling_stored(tmp_path, template_db):
    app = open_app(tmp_path / "d", template_db, KB_MAX_FILE_MB=1, KB_MAX_UPLOAD_MB=10)
    try:
        kb = app.extensions["kb"]
        data = {
            "files": [
                (io.BytesIO(b"x" * (1024 * 1024 + 1)), "gross.txt"),
                (io.BytesIO(b"klein und fein"), "klein.txt"),
            ]
        }
        response = post_multipart(app.test_client(), "/upload", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 201
        assert "größer als die erlaubten 1 MB pro Datei" in page
        assert _count(kb, Item) == 1 and len(list(kb.store.iter_hashes())) == 1
        form = app.test_client().get("/upload").get_data(as_text=True)
        assert "höchstens 1 MB pro Datei und 10 MB pro Hochladen" in form
        assert 'data-file-limit-mb="1"' in form
        jobs.run_until_idle(kb)
        _clean(kb)
    finally:
        app.extensions["kb"].close()


class _Disconnecting(io.RawIOBase):
    """A request body that ends with a network error after some bytes."""

    def __init__(self, data: bytes, fail_after: int) -> None:
        self._data, self._pos, self._fail_after = data, 0, fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._pos >= self._fail_after:
            raise ConnectionResetError("client went away")
        chunk = self._data[self._pos : min(self._pos + len(buffer), self._fail_after)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def test_a_client_that_disconnects_halfway_leaves_nothing(kb):
    data = b"Anfang " * 200_000
    upload = UploadFile("abgebrochen.txt", io.BufferedReader(_Disconnecting(data, 500_000)))
    outcome = upload_files(kb, [upload], ItemMeta(), ANONYMOUS)[0]
    assert outcome.status == "rejected"
    assert "abgebrochen" in outcome.messages["de"]
    assert _count(kb, Item) == 0
    assert list(kb.store.iter_hashes()) == []
    assert not any((kb.store.root / "tmp").iterdir())
    _clean(kb)


def test_the_same_file_at_the_same_moment(kb):
    barrier = threading.Barrier(2)
    outcomes = []

    def send(name: str) -> None:
        barrier.wait()
        upload = UploadFile(name, io.BytesIO(b"Gleichzeitig hochgeladen " * 1000))
        outcomes.extend(upload_files(kb, [upload], ItemMeta(), ANONYMOUS))

    threads = [threading.Thread(target=send, args=(f"{n}.txt",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Both ended in a clear status; the bytes are stored once; at most one twin slipped through
    # the check-then-insert window, and nothing is half-written.
    assert sorted(o.status for o in outcomes) in (["duplicate", "queued"], ["queued", "queued"])
    assert len(list(kb.store.iter_hashes())) == 1
    jobs.run_until_idle(kb)
    _clean(kb)


@pytest.mark.parametrize(
    "path", ["/search?q=a&kind=x%00", "/api/v1/events?series=x%00", "/events?x=%00"]
)
def test_a_nul_character_in_the_query_is_refused_cleanly(client, path):
    """PostgreSQL cannot hold NUL in text: refused at the edge with 400, never a 500."""
    response = client.get(path)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/search", "/api/v1/search", "/search/complete"])
def test_control_characters_in_search_text_are_cleaned_not_refused(client, path):
    """Text pasted from a PDF may carry NUL or ESC: the search runs on the words around them."""
    response = client.get(path, query_string={"q": "Kosten\x00plan\x1b"})
    assert response.status_code == 200
    assert "\x00" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"districts": ["15002", "\x00"]},  # the second value of a repeated field
        {"title": "Bericht", "topics\x00": "x"},  # a field name
    ],
)
def test_a_nul_character_anywhere_in_a_form_is_refused_cleanly(client, kb, fields):
    """Found by schemathesis on PostgreSQL (a 500): only the first value of each field was
    checked, so a NUL in a repeated field's second value reached the database."""
    data = {**fields, "files": (io.BytesIO(b"Text"), "a.txt")}
    response = client.post("/api/v1/items", data=data, content_type="multipart/form-data")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "bad_request"
    assert list(kb.store.iter_hashes()) == []  # refused before anything was stored


def test_a_nul_character_in_a_second_file_name_is_refused_cleanly(client, kb):
    files = [(io.BytesIO(b"eins"), "a.txt"), (io.BytesIO(b"zwei"), "b\x00.txt")]
    response = client.post("/upload", data={"files": files}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert list(kb.store.iter_hashes()) == []  # the sibling is not half-stored either


def test_a_nul_character_in_a_json_body_is_refused_cleanly(client):
    response = client.patch(
        "/api/v1/items/1", data='{"title": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400
