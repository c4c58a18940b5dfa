"""Bad input gets a clear German message and loses nothing."""

from __future__ import annotations

import io
import zipfile

from conftest import open_app
from sqlalchemy import func, select

from kb.models import FileVersion, Item, Job


def _truncated_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>" * 200)
        zf.writestr("word/document.xml", "<w:document>" * 500)
    return buf.getvalue()[:300]


def _count(kb, model) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_bad_files_are_kept_and_siblings_go_through(client, kb, upload, make_pptx):
    good = make_pptx(["Titel", "Zweite Folie", "Sonnenblumenfeld auf Folie drei"])
    gif = b"GIF89a" + b"\x00" * 64  # an image type kb does not read (PNG/JPEG it does)
    response = upload(
        [
            ("gut.pptx", good),
            ("kaputt.docx", _truncated_docx()),
            ("leer.pdf", b""),
            ("bild.gif", gif),
            ("falsch.pdf", b"%PDF-1.7 this is not really a pdf"),
        ]
    )
    assert response.status_code == 201
    body = response.get_data(as_text=True)
    assert "Die Datei ist leer." in body
    assert "wird nicht unterstützt" in body
    assert _count(kb, Item) == 5 and _count(kb, FileVersion) == 5
    with kb.db.reading() as session:
        states = dict(session.execute(select(FileVersion.filename, FileVersion.status)).all())
        messages = dict(
            session.execute(select(FileVersion.filename, FileVersion.status_message_de)).all()
        )
    assert states == {
        "gut.pptx": "done",
        "kaputt.docx": "failed",
        "leer.pdf": "failed",
        "bild.gif": "failed",
        "falsch.pdf": "failed",
    }
    assert "beschädigt" in messages["kaputt.docx"]
    assert "beschädigt" in messages["falsch.pdf"]
    # The good deck is searchable; the bad ones are findable by title and show why.
    assert "Folie 3" in client.get("/search?q=Sonnenblumenfeld").get_data(as_text=True)
    with kb.db.reading() as session:
        item_id = session.scalar(
            select(FileVersion.item_id).where(FileVersion.filename == "kaputt.docx")
        )
    item_page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Kein Text gelesen" in item_page and "beschädigt" in item_page
    # Every stored file can still be downloaded byte for byte.
    with kb.db.reading() as session:
        rows = session.execute(
            select(FileVersion.item_id, FileVersion.id, FileVersion.filename)
        ).all()
    for item_id, fv_id, name in rows:
        with client.get(f"/items/{item_id}/files/{fv_id}") as download:
            assert download.status_code == 200, name


def test_over_the_limit_is_refused_with_the_limit_named(tmp_path, template_db):

    app = open_app(tmp_path / "d", template_db, KB_MAX_UPLOAD_MB=1)
    try:
        kb = app.extensions["kb"]
        from conftest import post_multipart

        big = {"files": [(io.BytesIO(b"x" * (2 * 1024 * 1024)), "gross.pdf")]}
        response = post_multipart(app.test_client(), "/upload", big)
        assert response.status_code == 413
        assert "höchstens 1 MB" in response.get_data(as_text=True)
        assert _count(kb, Item) == 0
        assert list(kb.store.iter_hashes()) == []
    finally:
        app.extensions["kb"].close()


def test_no_file_selected(client, kb):
    response = client.post("/upload", data={"kind": "praesentation"})
    assert response.status_code == 400
    assert "mindestens eine Datei" in response.get_data(as_text=True)
    assert _count(kb, Item) == 0


def test_invalid_kind_stores_nothing(client, kb):
    response = client.post(
        "/upload",
        data={"kind": "quatsch", "files": [(io.BytesIO(b"Text"), "a.txt")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Unbekannte Art" in response.get_data(as_text=True)
    assert _count(kb, Item) == 0 and _count(kb, Job) == 0


def test_same_bytes_twice_are_stored_once(kb, upload):
    response = upload([("a.txt", b"Gleicher Inhalt"), ("b.txt", b"Gleicher Inhalt")])
    assert len(list(kb.store.iter_hashes())) == 1
    assert _count(kb, FileVersion) == 1  # the second is reported as a duplicate, no twin
    assert "Diese Datei ist bereits gespeichert: „a“." in response.get_data(as_text=True)


def test_csrf_is_enforced(tmp_path, template_db):

    app = open_app(tmp_path / "d", template_db, WTF_CSRF_ENABLED=True)
    try:
        response = app.test_client().post(
            "/upload",
            data={"files": [(io.BytesIO(b"x"), "a.txt")]},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert "Formular ist abgelaufen" in response.get_data(as_text=True)
    finally:
        app.extensions["kb"].close()


def test_unknown_pages_get_a_german_404(client):
    response = client.get("/items/999999")
    assert response.status_code == 404
    assert "Diesen Eintrag gibt es nicht." in response.get_data(as_text=True)
    assert client.get("/nirgendwo").status_code == 404
    assert client.get("/items/1/files/abc").status_code == 404
