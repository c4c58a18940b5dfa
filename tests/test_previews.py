"""Page images: a job renders them after the text, the item page shows them with the text,
and they are served with the same access check as the file."""

from __future__ import annotations

import io

import pytest
from conftest import open_app
from PIL import Image
from sqlalchemy import select

from kb.models import FileVersion, Job
from kb.previews import libreoffice
from kb.services import jobs


@pytest.fixture
def app(tmp_path, template_db):
    app = open_app(tmp_path / "data", template_db, KB_PREVIEWS=True)
    yield app
    app.extensions["kb"].close()


def test_pdf_pages_become_images_beside_their_text(client, kb, upload, make_pdf):
    upload([("bericht.pdf", make_pdf(["Erste Seite Fördermittel", "Zweite Seite Nachweis"]))])
    page = client.get("/items/1").get_data(as_text=True)
    assert 'src="/items/1/files/1/pages/1.png"' in page
    assert 'alt="Vorschau von Seite 2; ihr Text steht darunter"' in page
    with client.get("/items/1/files/1/pages/2.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
        image = Image.open(io.BytesIO(response.get_data()))
        assert image.width == 900 and image.height > image.width  # A4 portrait
    assert client.get("/items/1/files/1/pages/3.png").status_code == 404
    assert client.get("/items/1/files/1/pages/0.png").status_code == 404
    with kb.db.reading() as session:
        kinds = session.scalars(select(Job.kind).order_by(Job.priority)).all()
    assert kinds == ["extract", "preview"]  # text first: it makes the file searchable


def test_hidden_items_have_no_visible_previews(client, kb, upload, make_pdf, set_item):
    upload([("intern.pdf", make_pdf(["Vertraulich"]))])
    set_item(1, state="draft")
    assert client.get("/items/1/files/1/pages/1.png").status_code == 404


def test_a_broken_pdf_gets_no_preview_and_no_failure(client, kb, upload, make_pdf):
    good = make_pdf(["Text"])
    upload([("kaputt.pdf", good[: len(good) // 2])])
    with kb.db.reading() as session:
        job = session.scalar(select(Job).where(Job.kind == "preview"))
        fv = session.scalar(select(FileVersion))
    assert job is None or job.state == "done"
    assert client.get("/items/1").status_code == 200
    assert fv.status in ("failed", "done")


def test_office_files_without_libreoffice_get_the_text_only(
    client, kb, upload, make_pptx, monkeypatch
):
    from kb import previews as package
    from kb.previews import make as module

    monkeypatch.setattr(package, "libreoffice", lambda: None)  # as if it were not installed
    monkeypatch.setattr(module, "libreoffice", lambda: None)
    upload([("folien.pptx", make_pptx(["Folie eins", "Folie zwei"]))])
    with kb.db.reading() as session:
        assert session.scalars(select(Job.kind)).all() == ["extract"]
    page = client.get("/items/1").get_data(as_text=True)
    assert "page-image" not in page and "Folie 2" in page
    assert "Keine Vorschau" in page  # a plain placeholder instead of the thumbnail


def test_previews_follow_the_current_version(client, kb, upload, make_pdf):
    from conftest import post_multipart

    upload([("v1.pdf", make_pdf(["Alt"]))])
    data = {"file": (io.BytesIO(make_pdf(["Neu", "Neu zwei"])), "v2.pdf")}
    post_multipart(client, "/items/1/versions", data)
    jobs.run_until_idle(kb)
    page = client.get("/items/1").get_data(as_text=True)
    assert 'src="/items/1/files/2/pages/2.png"' in page
    assert "/items/1/files/1/pages/" not in page


@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (optional) is not installed")
def test_slides_are_drawn_through_libreoffice(client, kb, upload, make_pptx):
    upload([("folien.pptx", make_pptx(["Folie eins", "Folie zwei", "Folie drei"]))])
    page = client.get("/items/1").get_data(as_text=True)
    assert 'alt="Vorschau von Folie 3; ihr Text steht darunter"' in page
    with client.get("/items/1/files/1/pages/3.png") as response:
        image = Image.open(io.BytesIO(response.get_data()))
    assert image.width == 900 and image.width > image.height  # a landscape slide
