"""``kb restore DIR --merge``: an export's content joins an instance that has its own;
what was there stays as it was, reference data is reused, the same merge twice adds
nothing, and a tampered archive imports nothing."""

from __future__ import annotations

import io
import json

import pytest
from conftest import open_app
from sqlalchemy import func, select
from test_api_export import _counts, source  # noqa: F401 (source: a small instance)

from kb.models import Event, FileVersion, Item, Page, User
from kb.services import jobs, merge, previews
from kb.services.access import SYSTEM
from kb.services.indexing import append_index_log
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.merge import merge_instance
from kb.services.search import run_search


@pytest.fixture
def other(tmp_path, template_db):
    """Instance B: its own item, its own account "red", its own event with A's slug."""
    from kb.services.accounts import add_user

    app = open_app(tmp_path / "other", template_db)
    kb = app.extensions["kb"]
    add_user(kb, "red", "admin", SYSTEM, password="x" * 12)
    with kb.db.writing() as session:
        event = Event(slug="werkstatt-1", title="Eigene Werkstatt", city="Magdeburg")
        session.add(event)
        session.flush()
        append_index_log(session, event.id, "event")
    meta = ItemMeta(title="Kommunalbeirat", kind="protokoll", topics=["Wohnen"])
    text = b"Der Kommunalbeirat in Magdeburg tagt"
    upload_files(kb, [UploadFile("beirat.txt", io.BytesIO(text))], meta, SYSTEM)
    jobs.run_until_idle(kb)
    yield app
    kb.close()
    template_db.release(app.config["KB_DATABASE_URL"])


def _titles(kb, word):
    return sorted(h.title for h in run_search(kb, word, SYSTEM).hits)


def _export(runner, tmp_path):
    out = tmp_path / "export"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_merge_keeps_both_and_twice_adds_nothing(source, kb, runner, tmp_path, other):  # noqa: F811
    out = _export(runner, tmp_path)
    kb2 = other.extensions["kb"]
    before = _counts(kb2)
    with kb2.db.reading() as session:
        own_event = session.scalars(select(Event)).one()
        own_red = session.scalars(select(User).where(User.username == "red")).one()
        own_event_id, own_red_id, own_red_role = own_event.id, own_red.id, own_red.role
    merged = other.test_cli_runner().invoke(args=["restore", str(out), "--merge"])
    assert merged.exit_code == 0, merged.output
    assert "Hinzugefügt: " in merged.output and "4 items" in merged.output
    assert "1 events" in merged.output.split("Wiederverwendet:")[1].splitlines()[0]
    after = _counts(kb2)
    assert after["items"] == before["items"] + _counts(kb)["items"]
    assert after["pages"] == before["pages"] + _counts(kb)["pages"]
    assert after["users"] == before["users"] + 1  # "autorin" is new, "red" is reused
    assert after["events"] == before["events"]  # the same slug: reused, not twinned
    assert _titles(kb2, "Kommunalbeirat") == ["Kommunalbeirat"]
    assert _titles(kb2, "Integrationskurs") == ["Integrationskurs"]
    assert _titles(kb2, "Wohnsitzauflage") == _titles(kb, "Wohnsitzauflage")
    with kb2.db.reading() as session:
        kurs = session.scalars(select(Item).where(Item.title == "Integrationskurs")).one()
        assert kurs.event_id == own_event_id  # A's material now hangs on B's event
        event, red = session.get(Event, own_event_id), session.get(User, own_red_id)
        assert event.title == "Eigene Werkstatt" and red.role == own_red_role  # untouched
        texts = session.scalars(
            select(Page.text).join(FileVersion).where(FileVersion.item_id == kurs.id)
        ).all()
        assert texts == ["Integrationskurs in Halle (Saale), Fördermittel"]
        wohnsitz = session.scalars(select(Item).where(Item.title == "Wohnsitzauflage")).one()
        assert [f.label for f in wohnsitz.files] == ["", "v2"]
        assert session.scalar(select(func.count()).where(Item.deleted_at.is_not(None))) == 1
    check = other.test_cli_runner().invoke(args=["check"])
    assert check.exit_code == 0, check.output

    again = other.test_cli_runner().invoke(args=["restore", str(out), "--merge"])
    assert again.exit_code == 0, again.output
    assert "Hinzugefügt: nichts" in again.output
    assert "4 items" in again.output.split("Übersprungen:")[1].splitlines()[0]
    assert "schon vorhanden: „Integrationskurs“" in again.output
    assert _counts(kb2) == after


def test_merge_reports_and_reuses_reference_data(source, kb, runner, tmp_path, other):  # noqa: F811
    out = _export(runner, tmp_path)
    kb2 = other.extensions["kb"]
    report = merge_instance(kb2, out)
    assert report.reused["districts"] == 14 and "districts" not in report.added
    assert report.reused["users"] == 1 and report.added["users"] == 1
    assert report.added["items"] == 4 and report.skipped_items == []
    assert report.left_out == ["audit_events", "jobs"]
    jobs.run_until_idle(kb2)
    second = merge_instance(kb2, out)
    assert not any(second.added.values())
    assert sorted(t for t, _ in second.skipped_items) == sorted(
        ["Wohnsitzauflage", "Integrationskurs", "Entwurf", "weg"]
    )


def test_merge_of_a_tampered_archive_imports_nothing(source, runner, tmp_path, other):  # noqa: F811
    out = _export(runner, tmp_path)
    path = out / "tables" / "items.json"
    rows = json.loads(path.read_text())
    rows[0]["title"] = "Untergeschoben"
    path.write_text(json.dumps(rows))
    kb2 = other.extensions["kb"]
    before, blobs = _counts(kb2), set(kb2.store.iter_hashes())
    result = other.test_cli_runner().invoke(args=["restore", str(out), "--merge"])
    assert result.exit_code == 1 and "Es wurde nichts eingespielt" in result.output
    assert _counts(kb2) == before and set(kb2.store.iter_hashes()) == blobs


def test_merge_into_an_empty_instance_finds_the_same(source, kb, runner, tmp_path, template_db):  # noqa: F811
    """With nothing here to match, a merge adds everything a restore would (new ids)."""
    out = _export(runner, tmp_path)
    app = open_app(tmp_path / "empty", template_db)
    try:
        kb2 = app.extensions["kb"]
        merge_instance(kb2, out)
        jobs.run_until_idle(kb2)
        for word in ("Wohnsitzauflage", "Integrationskurs", "Halle", "Förder*"):
            assert _titles(kb2, word) == _titles(kb, word), word
        assert _titles(kb, "Halle")
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])


def test_a_failed_merge_leaves_no_copied_bytes(source, kb, runner, tmp_path, other, monkeypatch):  # noqa: F811
    out = _export(runner, tmp_path)
    kb2 = other.extensions["kb"]
    before, blobs = _counts(kb2), set(kb2.store.iter_hashes())

    def broken(self, kb):  # the last step of the transaction fails (e.g. the disk is full)
        raise OSError("Kein Platz mehr auf dem Gerät")

    monkeypatch.setattr(merge._Merger, "queue_work", broken)
    with pytest.raises(OSError):
        merge_instance(kb2, out)
    assert _counts(kb2) == before and set(kb2.store.iter_hashes()) == blobs
    check = other.test_cli_runner().invoke(args=["check"])
    assert check.exit_code == 0 and "gehört zu keiner Dateiversion" not in check.output


def test_merged_pdfs_get_page_images(kb, upload, make_pdf, runner, tmp_path, template_db):
    assert upload([("bericht.pdf", make_pdf(["Erste Seite", "Zweite Seite"]))]).status_code == 201
    jobs.run_until_idle(kb)
    out = _export(runner, tmp_path)
    app = open_app(tmp_path / "mit-vorschau", template_db, KB_PREVIEWS=True)
    try:
        kb2 = app.extensions["kb"]
        merge_instance(kb2, out)
        jobs.run_until_idle(kb2)
        with kb2.db.reading() as session:
            fv = session.scalars(select(FileVersion)).one()
            assert fv.status == "done"
            assert previews.page_count(kb2, fv) == 2
    finally:
        app.extensions["kb"].close()
        template_db.release(app.config["KB_DATABASE_URL"])
