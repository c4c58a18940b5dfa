"""File versions: a corrected file keeps the old one, any version can be made current,
and "what changed" compares the text page by page."""

from __future__ import annotations

import io

import pytest
from conftest import login, post_multipart
from sqlalchemy import select

from kb.models import FileVersion, Item
from kb.services import jobs
from kb.services.search import run_search


def _version(client, item_id, name, content, label=""):
    return post_multipart(
        client,
        f"/items/{item_id}/versions",
        {"file": (io.BytesIO(content), name), "label": label},
    )


@pytest.fixture
def deck(kb, upload, make_pptx):
    old = make_pptx(["Förderung 2026\nAntrag bis 31. März", "Kontakt\nLandesverwaltungsamt"])
    upload([("foerderung.pptx", old)], title="Förderung")
    return 1


def test_new_version_becomes_current_and_old_one_stays(client, kb, deck, make_pptx):
    new = make_pptx(["Förderung 2026\nAntrag bis 30. April", "Kontakt\nLandesverwaltungsamt"])
    response = _version(client, deck, "foerderung-v2.pptx", new, "korrigierte Fassung")
    assert response.status_code == 302
    jobs.run_until_idle(kb)
    from kb.services.access import ANONYMOUS

    assert run_search(kb, "April", ANONYMOUS).total == 1
    assert run_search(kb, "März", ANONYMOUS).total == 0  # the old text left the index
    page = client.get(f"/items/{deck}").get_data(as_text=True)
    assert "korrigierte Fassung <strong>(aktuell)</strong>" in page
    assert "Version 1" in page and "foerderung.pptx" in page
    with kb.db.reading() as session:
        versions = session.scalars(select(FileVersion).order_by(FileVersion.id)).all()
        assert [(v.filename, v.is_current) for v in versions] == [
            ("foerderung.pptx", False),
            ("foerderung-v2.pptx", True),
        ]
        old_id, new_id = versions[0].id, versions[1].id
    with client.get(f"/items/{deck}/files/{old_id}") as download:  # old versions stay downloadable
        assert download.status_code == 200

    diff = client.get(f"/items/{deck}/versions/{old_id}/diff/{new_id}").get_data(as_text=True)
    assert "Folie 1" in diff and "Folie 2" not in diff  # only changed slides
    assert "31. März</del>" in diff and "30. April</ins>" in diff

    assert client.post(f"/items/{deck}/versions/{old_id}/current").status_code == 302
    jobs.run_until_idle(kb)
    assert run_search(kb, "März", ANONYMOUS).total == 1
    assert run_search(kb, "April", ANONYMOUS).total == 0


def test_version_bad_input(client, kb, deck):
    no_file = post_multipart(client, f"/items/{deck}/versions", {"label": "x"})
    assert no_file.status_code == 400
    assert "Bitte wählen Sie eine Datei aus." in no_file.get_data(as_text=True)
    empty = _version(client, deck, "leer.pptx", b"")
    assert empty.status_code == 302  # stored, with the reason it has no text
    jobs.run_until_idle(kb)
    page = client.get(f"/items/{deck}").get_data(as_text=True)
    assert "Die Datei ist leer." in page
    assert client.post(f"/items/{deck}/versions/999/current").status_code == 404
    assert client.get(f"/items/{deck}/versions/1/diff/999").status_code == 404
    assert client.get("/items/999/versions/1/diff/2").status_code == 404


def test_only_owner_and_editors_change_files_once_accounts_exist(app, kb, add_user, set_item):
    import io as _io

    from kb.services.access import Viewer
    from kb.services.items import ItemMeta, UploadFile, upload_files

    owner_id = add_user("eigen", "autor")
    add_user("fremd", "autor")
    outcome = upload_files(
        kb, [UploadFile("a.txt", _io.BytesIO(b"Alpha"))], ItemMeta(title="A"),
        Viewer(owner_id, ("autor",)),
    )[0]  # fmt: skip
    jobs.run_until_idle(kb)
    set_item(outcome.item_id, state="published", access="public")
    stranger, owner = app.test_client(), app.test_client()
    login(stranger, "fremd")
    login(owner, "eigen")
    assert _version(stranger, outcome.item_id, "b.txt", b"Beta").status_code == 403
    assert _version(owner, outcome.item_id, "b.txt", b"Beta").status_code == 302
    with kb.db.reading() as session:
        item = session.get(Item, outcome.item_id)
        assert [f.filename for f in item.files] == ["a.txt", "b.txt"]
        assert item.files[1].uploaded_by_id == owner_id
    anonymous = app.test_client()
    assert _version(anonymous, outcome.item_id, "c.txt", b"Gamma").status_code == 403
