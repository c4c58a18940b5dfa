"""kb export -> kb restore into an empty instance gives the same instance: same rows, same
search results, same handout text; a tampered archive or a non-empty target is refused."""

from __future__ import annotations

import io
import json
import re

import pytest
from api_helpers import bearer, token_for
from conftest import login, open_app
from pypdf import PdfReader
from sqlalchemy import func, select

from kb.db import Base
from kb.models import Event, EventSeries, User
from kb.services import handouts, jobs, trash
from kb.services.access import ANONYMOUS, SYSTEM
from kb.services.accounts import viewer_by_name
from kb.services.indexing import append_index_log
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search
from kb.services.versions import add_version

QUERIES = ("Wohnsitzauflage", "Integrationskurs", "Halle", "Förder*")


@pytest.fixture
def source(app, kb, add_user, set_item):
    """A small instance with accounts, an event, versions, people, topics and the trash."""
    add_user("red", "redaktion")
    owner = add_user("autorin", "autor")
    with kb.db.writing() as session:
        series = EventSeries(slug="werkstatt", title="Werkstatt")
        event = Event(slug="werkstatt-1", series=series, title="Werkstatt 1", city="Halle")
        session.add(event)
        session.flush()
        append_index_log(session, event.id, "event")
    ids = []
    for n, (title, text) in enumerate(
        [
            ("Wohnsitzauflage", "Die Wohnsitzauflage im Landkreis Harz und Förderung"),
            ("Integrationskurs", "Integrationskurs in Halle (Saale), Fördermittel"),
            ("Entwurf", "Wohnsitzauflage Entwurf intern"),
        ]
    ):
        meta = ItemMeta(
            title=title,
            kind="leitfaden" if n == 0 else "protokoll",
            event_slug="werkstatt-1" if n == 1 else None,
            speakers="Erika Beispiel, Max Muster" if n == 1 else "",
            organisation="Landkreis Harz" if n == 0 else "",
            topics=["Wohnen", "Arbeit"],
            districts=["15085"] if n == 0 else ["15002"],
        )
        upload = UploadFile(f"{title}.txt", io.BytesIO(text.encode()))
        ids.append(upload_files(kb, [upload], meta, SYSTEM)[0].item_id)
    jobs.run_until_idle(kb)
    set_item(ids[2], state="draft", owner_id=owner, access="internal")
    add_version(kb, ids[0], UploadFile("neu.txt", io.BytesIO(b"Wohnsitzauflage neu")), "v2", SYSTEM)
    gone = upload_files(kb, [UploadFile("weg.txt", io.BytesIO(b"weg"))], ItemMeta(), SYSTEM)
    trash.delete_item(kb, gone[0].item_id, SYSTEM)
    jobs.run_until_idle(kb)
    return ids


def _fingerprint(kb):
    viewers = [ANONYMOUS, viewer_by_name(kb, "red"), viewer_by_name(kb, "autorin")]
    return [
        (q, [(h.item_id, h.title, [p.number for p in h.pages]) for h in run_search(kb, q, v).hits])
        for q in QUERIES
        for v in viewers
    ]


def _counts(kb):
    with kb.db.reading() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
            if t.name not in ("index_log", "login_failures")
        }


def _handout_text(kb, item_id):
    pdf, _ = handouts.item_handout(kb, item_id, SYSTEM)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\d{2}\.\d{2}\.\d{4}(,? \d{2}:\d{2})?( Uhr)?", "", text)


@pytest.fixture
def target(tmp_path, template_db):
    app = open_app(tmp_path / "target", template_db)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


def test_round_trip(source, kb, runner, tmp_path, target):
    secret = token_for(kb, viewer_by_name(kb, "red").user_id, "read", "redaktion")
    out = tmp_path / "export"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_version"] and manifest["tables"]["items"]["rows"] == 4
    assert all(len(h) == 64 for h in manifest["files"].values())
    assert any(name.startswith("blobs/") for name in manifest["files"])

    restored = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert restored.exit_code == 0, restored.output
    kb2 = target.extensions["kb"]
    assert _counts(kb2) == _counts(kb)
    assert _fingerprint(kb2) == _fingerprint(kb)
    assert _fingerprint(kb)[0][1]  # the comparison is not of empty lists
    for item_id in source[:2]:
        assert _handout_text(kb2, item_id) == _handout_text(kb, item_id)
    client = target.test_client()
    assert login(client, "red").status_code == 302  # password hashes came along
    assert client.get("/admin/trash").data.count(b"Wiederherstellen") == 1
    api = client.get(f"/api/v1/items/{source[0]}", headers=bearer(secret))
    assert api.status_code == 200 and api.get_json()["title"] == "Wohnsitzauflage"
    with kb2.db.reading() as session:
        assert session.scalar(select(func.count(User.id))) == 2


def test_restore_refuses_a_non_empty_instance(source, kb, runner, tmp_path):
    out = tmp_path / "export"
    assert runner.invoke(args=["export", str(out)]).exit_code == 0
    before = _counts(kb)
    again = runner.invoke(args=["restore", str(out)])
    assert again.exit_code == 1 and "nicht leer" in again.output
    assert "Es wurde nichts eingespielt" in again.output
    assert _counts(kb) == before


def test_export_refuses_a_non_empty_folder(runner, tmp_path):
    (tmp_path / "voll").mkdir()
    (tmp_path / "voll" / "x").write_text("x")
    result = runner.invoke(args=["export", str(tmp_path / "voll")])
    assert result.exit_code == 1 and "nicht leer" in result.output


@pytest.mark.parametrize("damage", ["blob", "table", "extra", "missing", "schema", "manifest"])
def test_tampered_archive_is_refused_and_nothing_imported(source, runner, tmp_path, target, damage):
    out = tmp_path / "export"
    assert runner.invoke(args=["export", str(out)]).exit_code == 0
    blob = next(p for p in (out / "blobs").rglob("*") if p.is_file())
    if damage == "blob":
        blob.write_bytes(blob.read_bytes() + b"!")
    elif damage == "table":
        path = out / "tables" / "items.json"
        path.write_text(path.read_text().replace("Wohnsitzauflage", "Wohnsitzauflagf", 1))
    elif damage == "extra":
        (out / "tables" / "boese.json").write_text("[]")
    elif damage == "missing":
        blob.unlink()
    elif damage == "schema":
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["schema_version"] = "0001"
        (out / "manifest.json").write_text(json.dumps(manifest))
    else:
        (out / "manifest.json").write_text("{kaputt")
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 1 and "Es wurde nichts eingespielt" in result.output, result.output
    assert _counts(target.extensions["kb"])["items"] == 0
    assert not list(target.extensions["kb"].store.iter_hashes())


def test_export_without_secrets(source, kb, runner, tmp_path):
    token_for(kb, viewer_by_name(kb, "red").user_id)
    out = tmp_path / "export"
    assert runner.invoke(args=["export", str(out), "--no-secrets"]).exit_code == 0
    users = json.loads((out / "tables" / "users.json").read_text())
    assert users and all(u["password_hash"] == "" for u in users)
    assert not (out / "tables" / "api_tokens.json").exists()
