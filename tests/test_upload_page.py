"""What the upload page's script is told: its texts and the live status in the UI language,
and answers it can act on when the session is gone (sign in, then send the same files again).
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil

import pytest
from conftest import PASSWORD, login, open_app, post_multipart
from extract_files import text_image
from sqlalchemy import func, select

from kb.models import Item
from kb.services import jobs


def _texts(page: str) -> dict[str, str]:
    match = re.search(r"data-texts='([^']*)'", page)
    assert match, "the result list carries the script's texts"
    return json.loads(html.unescape(match.group(1)))


def _items(kb) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count(Item.id)))


def test_the_english_page_gives_the_script_english_texts(client):
    page = client.get("/upload?lang=en").get_data(as_text=True)
    texts = _texts(page)
    assert texts["searchable"] == "searchable"
    assert texts["sending"] == "sending …"
    assert texts["file_title"] == "Title for {name}"
    assert texts["failed"] == "stored, but no text readable: {message}"
    assert texts["too_big_file"].startswith("Larger than 100 MB per file: {names}.")
    assert "Try again" in texts["offline"]
    german = ("wird", "durchsuchbar", "Titel", "Verbindung", "Datei", "gespeichert")
    assert not [w for w in german if w in json.dumps(texts, ensure_ascii=False)]
    assert ">Try again</button>" in page
    # German is the default, with the same keys.
    assert _texts(client.get("/upload?lang=de").get_data(as_text=True))["searchable"] == (
        "durchsuchbar"
    )


def test_the_live_status_speaks_the_ui_language(client, upload):
    upload([("leer.txt", b""), ("gut.txt", b"Ein lesbarer Text")])
    client.get("/?lang=en")
    files = client.get("/upload/status?ids=1,2").get_json()["files"]
    assert [(f["name"], f["state"], f["message"]) for f in files] == [
        ("leer.txt", "failed", "The file is empty."),
        ("gut.txt", "searchable", ""),
    ]
    client.get("/?lang=de")
    assert client.get("/upload/status?ids=1").get_json()["files"][0]["message"] == (
        "Die Datei ist leer."
    )


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_the_live_status_of_a_scan_carries_the_ocr_note(client, upload):
    upload([("scan.png", text_image(["Verwendungsnachweis"]))], alt="Ein gescanntes Formular")
    (row,) = client.get("/upload/status?ids=1").get_json()["files"]
    assert row["state"] == "searchable"
    assert row["message"].startswith("Text per Texterkennung (OCR)")
    assert "searchable_note" in _texts(client.get("/upload").get_data(as_text=True))


def _send(client, name: str = "folien.txt", token: str | None = None):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"kind": "praesentation", "files": [(io.BytesIO(b"Folien"), name)]}
    if token is not None:
        data["csrf_token"] = token
    client.environ_base["HTTP_ACCEPT"] = "application/json"
    try:
        return post_multipart(client, "/upload", data)
    finally:
        del client.environ_base["HTTP_ACCEPT"]


def test_an_expired_session_is_told_to_sign_in_and_the_retry_works(tmp_path, template_db):
    """The session cookie is gone mid-upload: no CSRF session token, no account."""
    app = open_app(tmp_path / "d", template_db, WTF_CSRF_ENABLED=True)
    try:
        kb = app.extensions["kb"]
        from kb.services.access import SYSTEM
        from kb.services.accounts import add_user

        add_user(kb, "autorin", "autor", SYSTEM, password=PASSWORD)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"username": "autorin", "password": PASSWORD, "csrf_token": token}
        )
        stale = client.get("/upload/token").get_json()["csrf_token"]
        client.delete_cookie("session")  # expired: the browser no longer sends it

        lost = _send(client, token=stale)
        assert lost.status_code == 400
        answer = lost.get_json()
        assert answer["error"] == "session" and "Erneut versuchen" in answer["message"]
        assert "nicht mehr angemeldet" in answer["message"]
        assert answer["login_url"] == "/login?next=/upload/signed-in"
        assert _items(kb) == 0

        # The script asks for a fresh token: still anonymous, so the server says sign in.
        fresh = client.get("/upload/token")
        assert fresh.headers["Cache-Control"] == "no-store"
        again = _send(client, token=fresh.get_json()["csrf_token"])
        assert again.status_code == 401 and again.get_json()["login_url"]

        # Signed in (in another tab, same cookie jar), the retry stores the file.
        token = client.get("/upload/token").get_json()["csrf_token"]
        signed = client.post(
            "/login?next=/upload/signed-in",
            data={"username": "autorin", "password": PASSWORD, "csrf_token": token},
        )
        assert signed.headers["Location"] == "/upload/signed-in"
        assert "Erneut versuchen" in client.get("/upload/signed-in").get_data(as_text=True)
        stored = _send(client, token=client.get("/upload/token").get_json()["csrf_token"])
        assert stored.status_code == 201 and "folien.txt" in stored.get_json()["html"]
        jobs.run_until_idle(kb)
        assert _items(kb) == 1
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])


def test_an_expired_form_in_open_mode_needs_no_sign_in(tmp_path, template_db):
    app = open_app(tmp_path / "d", template_db, WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        answer = _send(client, token="abgelaufen")
        assert answer.status_code == 400
        assert answer.get_json()["login_url"] is None
        assert answer.get_json()["message"].startswith("Die Sitzung ist abgelaufen.")
        token = client.get("/upload/token").get_json()["csrf_token"]
        assert _send(client, token=token).status_code == 201
        # The plain form keeps its error page.
        plain = client.post("/upload", data={"csrf_token": "abgelaufen"})
        assert plain.status_code == 400 and "Das Formular ist abgelaufen" in plain.get_data(
            as_text=True
        )
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])


def test_signed_out_plain_form_still_goes_to_the_login(client, add_user):
    add_user("autorin", "autor")
    assert _send(client).status_code == 401
    plain = post_multipart(
        client, "/upload", {"files": [(io.BytesIO(b"x"), "a.txt")], "kind": "praesentation"}
    )
    assert plain.status_code == 302 and "/login?next=/upload" in plain.headers["Location"]
    client.get("/?lang=en")
    assert "no longer signed in" in _send(client).get_json()["message"]
    assert login(client, "autorin").status_code == 302
    assert _send(client).status_code == 201
