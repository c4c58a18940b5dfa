"""The trash: delete hides an item everywhere, Redaktion restores, the worker purges after
KB_TRASH_DAYS and removes a blob only when no file version references it any more."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import login
from sqlalchemy import select

from kb.errors import Forbidden, NotFound
from kb.models import AuditEvent, FileVersion, Item, utcnow
from kb.services import jobs, trash
from kb.services.access import SYSTEM, Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search


def _search_ids(kb, word, viewer=SYSTEM):
    return [h.item_id for h in run_search(kb, word, viewer).hits]


def test_delete_from_the_item_page_and_restore(client, kb, add_user, upload):
    add_user("red", "redaktion")
    login(client, "red")
    upload([("wohnen.txt", b"Wohnberechtigungsschein Antrag")], title="Wohnen")
    with kb.db.reading() as session:
        item_id = session.scalars(select(Item.id)).one()
    page = client.get(f"/items/{item_id}").data.decode()
    assert f"/items/{item_id}/delete" in page and "Eintrag löschen" in page
    confirm = client.get(f"/items/{item_id}/delete").data.decode()
    assert "Ja, in den Papierkorb legen" in confirm and "30 Tage" in confirm
    done = client.post(f"/items/{item_id}/delete", follow_redirects=True)
    assert "liegt jetzt im Papierkorb" in done.data.decode()
    jobs.run_until_idle(kb)
    assert client.get(f"/items/{item_id}").status_code == 404
    assert _search_ids(kb, "Wohnberechtigungsschein") == []
    trash_page = client.get("/admin/trash").data.decode()
    assert "wohnen" in trash_page.lower() and "Wiederherstellen" in trash_page
    restored = client.post(f"/admin/trash/{item_id}/restore")
    assert restored.status_code == 302 and restored.location.endswith(f"/items/{item_id}")
    jobs.run_until_idle(kb)
    assert client.get(f"/items/{item_id}").status_code == 200
    assert _search_ids(kb, "Wohnberechtigungsschein") == [item_id]
    assert "Der Papierkorb ist leer." in client.get("/admin/trash").data.decode()
    with kb.db.reading() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["deleted", "restored"]


def test_only_editors_restore_and_only_editable_items_are_deleted(kb, make_item, add_user):
    item_id = make_item("Text", title="Eintrag")
    leser, autor = add_user("leser", "leser"), add_user("autor", "autor")  # open mode ends
    with pytest.raises(Forbidden):
        trash.delete_item(kb, item_id, Viewer(leser, ("leser",)))
    with pytest.raises(Forbidden):
        trash.delete_item(kb, item_id, Viewer(autor, ("autor",)))  # not the owner
    trash.delete_item(kb, item_id, SYSTEM)
    with pytest.raises(NotFound):
        trash.delete_item(kb, item_id, SYSTEM)  # already in the trash
    with pytest.raises(Forbidden):
        trash.restore_item(kb, item_id, Viewer(autor, ("autor",)))
    with pytest.raises(NotFound):
        trash.restore_item(kb, item_id + 100, SYSTEM)


def _upload(kb, name, data):
    meta = ItemMeta(title=name)
    return upload_files(kb, [UploadFile(name, io.BytesIO(data))], meta, SYSTEM, twins=True)[0]


def test_purge_after_the_trash_days_keeps_shared_blobs(kb):
    shared = b"Gemeinsame Datei mit Foerderrichtlinie"
    a = _upload(kb, "a.txt", shared)
    b = _upload(kb, "b.txt", shared)  # the same bytes, a second item (twin)
    own = _upload(kb, "c.txt", b"Nur in einem Eintrag Verwendungsnachweis")
    jobs.run_until_idle(kb)
    from kb.services.previews import folder

    for sha in (a.sha256, own.sha256):  # stand-ins for rendered page images
        folder(kb, sha).mkdir(parents=True)
        (folder(kb, sha) / "1.png").write_bytes(b"png")
    for outcome in (a, own):
        trash.delete_item(kb, outcome.item_id, SYSTEM)
    now = utcnow()
    assert trash.purge_expired(kb, now + dt.timedelta(days=29)) == 0
    assert [r.id for r in trash.list_trash(kb, SYSTEM)] == [own.item_id, a.item_id]
    assert trash.purge_expired(kb, now + dt.timedelta(days=31)) == 2
    jobs.run_until_idle(kb)
    with kb.db.reading() as session:
        assert session.get(Item, a.item_id) is None and session.get(Item, own.item_id) is None
        assert session.get(Item, b.item_id) is not None
        assert session.scalars(select(FileVersion.sha256)).all() == [a.sha256]
    assert kb.store.exists(a.sha256)  # still referenced by item b
    assert not kb.store.exists(own.sha256)
    assert folder(kb, a.sha256).is_dir() and not folder(kb, own.sha256).exists()
    assert _search_ids(kb, "Foerderrichtlinie") == [b.item_id]
    assert trash.list_trash(kb, SYSTEM) == []


def test_worker_purges_once_a_day(kb):
    gone = _upload(kb, "alt.txt", b"Veraltet")
    jobs.run_until_idle(kb)
    trash.delete_item(kb, gone.item_id, SYSTEM)
    later = utcnow() + dt.timedelta(days=40)
    worker = jobs.Worker(kb, clock=lambda: later)
    worker.purge_if_due()
    with kb.db.reading() as session:
        assert session.get(Item, gone.item_id) is None


def test_trash_days_are_configurable(app, kb):
    app.config["KB_TRASH_DAYS"] = 2
    kb.config["KB_TRASH_DAYS"] = 2
    gone = _upload(kb, "kurz.txt", b"Kurz")
    trash.delete_item(kb, gone.item_id, SYSTEM)
    assert trash.purge_expired(kb, utcnow() + dt.timedelta(days=3)) == 1


def test_deleted_item_is_no_duplicate_and_not_under_review(kb, set_item):
    from kb.services.workflow import review_queue

    first = _upload(kb, "d.txt", b"Doppelt")
    set_item(first.item_id, state="review")
    assert [i.id for i in review_queue(kb, SYSTEM)] == [first.item_id]
    trash.delete_item(kb, first.item_id, SYSTEM)
    assert review_queue(kb, SYSTEM) == []
    again = upload_files(kb, [UploadFile("d.txt", io.BytesIO(b"Doppelt"))], ItemMeta(), SYSTEM)
    assert again[0].status == "queued"  # not "duplicate" of an item in the trash


def test_check_does_not_miss_deleted_items_in_the_index(kb, runner):
    gone = _upload(kb, "e.txt", b"Check")
    jobs.run_until_idle(kb)
    trash.delete_item(kb, gone.item_id, SYSTEM)
    jobs.run_until_idle(kb)
    from kb.services.check import run_check

    report = run_check(kb)
    assert report.problems == [], report.problems


def _expired_in_trash(kb, data):
    """An item holding ``data``, deleted; returns (its outcome, a time after its trash days)."""
    old = _upload(kb, "alt.txt", data)
    jobs.run_until_idle(kb)
    trash.delete_item(kb, old.item_id, SYSTEM)
    return old, utcnow() + dt.timedelta(days=31)


def test_upload_between_purge_commit_and_blob_removal_keeps_the_blob(kb, monkeypatch):
    """The purge's rows are gone, then the same bytes are uploaded before its blob step:
    the references are re-read right before deleting, so the new upload keeps its bytes."""
    from kb.services import blobs
    from kb.services.check import run_check

    data = b"Dieselben Bytes Zuwendungsbescheid"
    old, later = _expired_in_trash(kb, data)
    real = blobs.delete_unreferenced
    fresh = []

    def upload_in_between(kb_, hashes):
        fresh.append(_upload(kb, "neu.txt", data))
        return real(kb_, hashes)

    monkeypatch.setattr(trash.blobs, "delete_unreferenced", upload_in_between)
    assert trash.purge_expired(kb, later) == 1
    assert fresh[0].status == "queued" and fresh[0].sha256 == old.sha256
    assert kb.store.exists(old.sha256)
    jobs.run_until_idle(kb)
    assert _search_ids(kb, "Zuwendungsbescheid") == [fresh[0].item_id]
    assert run_check(kb).problems == []


def _purge_after_storing(kb, monkeypatch, module, later):
    """Run the purge right after ``module``'s upload stored its bytes, before its row."""
    real = module.store_file

    def purge_after_storing(kb_, upload):
        stored = real(kb_, upload)
        trash.purge_expired(kb, later)
        return stored

    monkeypatch.setattr(module, "store_file", purge_after_storing)


def test_purge_between_storing_and_recording_refuses_the_upload(kb, monkeypatch):
    """The purge runs after an upload stored (deduplicated) its bytes but before its row
    commits: the upload sees the bytes gone under the blob lock and is refused with a
    message, instead of recording a file version without bytes."""
    from kb.services import items
    from kb.services.check import run_check

    data = b"Dieselben Bytes Verwendungsnachweis"
    old, later = _expired_in_trash(kb, data)
    _purge_after_storing(kb, monkeypatch, items, later)
    outcome = _upload(kb, "neu.txt", data)
    assert outcome.status == "rejected" and outcome.item_id is None
    assert outcome.messages["de"].startswith("Die Datei wurde beim Speichern gleichzeitig")
    with kb.db.reading() as session:
        assert session.scalars(select(FileVersion.sha256)).all() == []
    assert not kb.store.exists(old.sha256)
    jobs.run_until_idle(kb)
    assert run_check(kb).problems == []


def test_purge_between_storing_and_recording_refuses_a_new_version(kb, monkeypatch):
    from kb.services import versions
    from kb.services.blobs import BlobGone

    data = b"Dieselben Bytes Mittelabruf"
    keep = _upload(kb, "bleibt.txt", b"Ein anderer Eintrag")
    old, later = _expired_in_trash(kb, data)
    _purge_after_storing(kb, monkeypatch, versions, later)
    with pytest.raises(BlobGone) as raised:
        versions.add_version(kb, keep.item_id, UploadFile("v2.txt", io.BytesIO(data)), "", SYSTEM)
    assert raised.value.status == 409
    with kb.db.reading() as session:
        assert session.scalars(select(FileVersion.sha256)).all() == [keep.sha256]
