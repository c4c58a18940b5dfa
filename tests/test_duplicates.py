"""Duplicates: the same bytes are stored once; the uploader learns where they already are
(only if allowed to see it) and may still create a separate item on purpose."""

from __future__ import annotations

import io
import json

from conftest import login, post_multipart
from sqlalchemy import func, select

from kb.models import FileVersion, Item
from kb.services.access import Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files


def _items(kb) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count(Item.id)))


def test_duplicate_names_the_visible_item_and_links_instead_of_a_twin(client, kb, upload):
    upload([("leitfaden.txt", b"Antragsfristen 2027")], title="Leitfaden Fristen")
    response = upload([("kopie.txt", b"Antragsfristen 2027")], kind="leitfaden")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Diese Datei ist bereits gespeichert: „Leitfaden Fristen“." in page
    assert 'href="/items/1"' in page and "Zum vorhandenen Eintrag" in page
    assert _items(kb) == 1
    twin = client.post(
        "/upload/twin",
        data={"sha256": _sha(kb), "filename": "kopie.txt", "kind": "leitfaden", "title": "Kopie"},
    )
    assert twin.status_code == 201
    assert _items(kb) == 2
    with kb.db.reading() as session:
        item = session.get(Item, 2)
        assert (item.title, item.kind, item.files[0].filename) == (
            "Kopie",
            "leitfaden",
            "kopie.txt",
        )
    assert len(list(kb.store.iter_hashes())) == 1  # still one copy of the bytes


def _sha(kb) -> str:
    with kb.db.reading() as session:
        return session.scalar(select(FileVersion.sha256).limit(1))


def test_a_hidden_item_is_not_named(app, kb, add_user, set_item):
    owner = add_user("eigen", "autor")
    add_user("fremd", "autor")
    secret = upload_files(
        kb, [UploadFile("geheim.txt", io.BytesIO(b"Interne Zahlen"))],
        ItemMeta(title="Geheimer Entwurf"), Viewer(owner, ("autor",)),
    )[0]  # fmt: skip
    assert secret.item_id
    client = app.test_client()
    login(client, "fremd")
    data = {"kind": "praesentation", "files": [(io.BytesIO(b"Interne Zahlen"), "meins.txt")]}
    page = post_multipart(client, "/upload", data).get_data(as_text=True)
    assert "bereits gespeichert – in einem Eintrag, den Sie nicht sehen dürfen" in page
    assert "Geheimer Entwurf" not in page and f"/items/{secret.item_id}" not in page


def test_a_guessed_hash_cannot_become_a_twin(client, kb, upload):
    upload([("a.txt", b"Nur meins")])
    other = kb.store.put(io.BytesIO(b"Fremde Bytes")).sha256  # stored, never sent by this browser
    response = client.post("/upload/twin", data={"sha256": other, "filename": "x.txt"})
    assert response.status_code == 404
    assert client.post("/upload/twin", data={"sha256": "0" * 64}).status_code == 404


def test_empty_files_are_not_duplicates_of_each_other(kb, upload):
    upload([("a.txt", b"")])
    response = upload([("b.txt", b"")])
    assert "Die Datei ist leer." in response.get_data(as_text=True)
    assert _items(kb) == 2


def test_import_twice_reports_duplicates(runner, tmp_path):
    folder = tmp_path / "ordner"
    folder.mkdir()
    (folder / "a.txt").write_text("Protokoll der Fragerunde", encoding="utf-8")
    first = runner.invoke(args=["import", str(folder), "--json"])
    again = runner.invoke(args=["import", str(folder), "--json"])
    assert first.exit_code == 0 and again.exit_code == 0
    row = json.loads(again.output.strip().splitlines()[-1])
    assert row["status"] == "duplicate" and row["id"] == json.loads(first.output)["id"]
    assert "bereits gespeichert" in row["message"]


def test_a_duplicate_says_its_details_were_not_applied(app, client, kb, upload, add_user):
    """Kind, event and topics chosen for a duplicate go nowhere: the row says so."""
    upload([("leitfaden.txt", b"Antragsfristen 2028")], title="Leitfaden Fristen")
    response = upload([("kopie.txt", b"Antragsfristen 2028")], kind="leitfaden")
    page = response.get_data(as_text=True)
    assert "Die Angaben dieses Uploads (Art, Veranstaltung, Themen …) wurden nicht übernommen" in (
        page
    )
    assert 'href="/items/1">Zum vorhandenen Eintrag' in page
    with kb.db.reading() as session:
        assert session.get(Item, 1).kind == "praesentation"  # unchanged
    client.get("/?lang=en")
    page = upload([("kopie.txt", b"Antragsfristen 2028")]).get_data(as_text=True)
    assert "This file is already stored: &#39;Leitfaden Fristen&#39;." in page
    assert "The details of this upload (kind, event, topics …) were not applied" in page
    # Someone who may not see the existing item is told the same, without a link.
    owner = add_user("eigen", "autor")
    add_user("fremd", "autor")
    upload_files(
        kb, [UploadFile("geheim.txt", io.BytesIO(b"Interne Zahlen 2028"))],
        ItemMeta(title="Geheim"), Viewer(owner, ("autor",)),
    )  # fmt: skip
    other = app.test_client()
    login(other, "fremd")
    data = {"kind": "leitfaden", "files": [(io.BytesIO(b"Interne Zahlen 2028"), "x.txt")]}
    page = post_multipart(other, "/upload", data).get_data(as_text=True)
    assert "wurden nicht übernommen" in page and "Zum vorhandenen Eintrag" not in page
