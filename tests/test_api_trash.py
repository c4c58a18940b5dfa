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
