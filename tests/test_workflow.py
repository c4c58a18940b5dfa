"""The publication workflow, editing, the review queue, the audit log and its retention."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import login
from sqlalchemy import select

from kb.errors import Forbidden, NotFound
from kb.models import AuditEvent, Item, LoginFailure, WorkflowStep, utcnow
from kb.services import audit, jobs, workflow
from kb.services.access import Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files


@pytest.fixture
def authored(kb, add_user):
    """An Autor's fresh upload: (item id, the author as viewer)."""
    uid = add_user("autorin", "autor")
    author = Viewer(uid, ("autor",), name="autorin")
    upload = UploadFile("Förderantrag.txt", io.BytesIO(b"Verwendungsnachweis bis 31. Mai"))
    outcome = upload_files(kb, [upload], ItemMeta(title="Förderantrag 2027"), author)[0]
    jobs.run_until_idle(kb)
    return outcome.item_id, author


def _state(kb, item_id):
    with kb.db.reading() as session:
        return session.get(Item, item_id).state


def test_an_authors_upload_starts_as_draft_owned_by_them(kb, authored):
    """Entwurf + intern in the service itself, not only in the forms that call it."""
    item_id, author = authored
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        assert (item.state, item.access, item.owner_id) == ("draft", "internal", author.user_id)


def _newest(kb):
    with kb.db.reading() as session:
        item = session.scalars(select(Item).order_by(Item.id.desc())).first()
        return item.id, item.state, item.access, item.owner_id


def test_a_web_upload_once_accounts_exist_is_an_internal_draft(app, client, kb, add_user, upload):
    uid = add_user("autorin", "autor")
    add_user("leserin")
    login(client, "autorin")
    assert upload([("Protokoll.txt", b"Niederschrift Netzwerktreffen")]).status_code == 201
    item_id, *rest = _newest(kb)
    assert rest == ["draft", "internal", uid]  # no access field sent: intern
    assert client.get(f"/items/{item_id}").status_code == 200  # its owner sees it
    reader = app.test_client()
    login(reader, "leserin")
    assert reader.get(f"/items/{item_id}").status_code == 404  # a draft, even for members
    assert app.test_client().get(f"/items/{item_id}").status_code == 404
    page = client.get("/upload").get_data(as_text=True)
    assert '<option value="internal" selected>' in page  # the form proposes intern too
    upload([("Aushang.txt", b"Aushang Sprechzeiten")], access="public", state="published")
    assert _newest(kb)[1:] == ("draft", "public", uid)  # öffentlich if chosen; still Entwurf


def test_existing_content_keeps_its_state_when_the_first_account_is_created(
    app, client, kb, runner, upload
):
    """Open mode publishes; creating the first account changes nothing that is already there."""
    assert upload([("Handreichung.txt", b"Handreichung Wohnsitzauflage")]).status_code == 201
    item_id, *before = _newest(kb)
    assert before == ["published", "public", None]
    added = runner.invoke(args=["users", "add", "chefin", "--role", "admin"])
    assert added.exit_code == 0, added.output
    assert list(_newest(kb)) == [item_id, *before]
    visitor = app.test_client()
    assert visitor.get(f"/items/{item_id}").status_code == 200
    assert "Handreichung" in visitor.get("/search?q=Wohnsitzauflage").get_data(as_text=True)
    assert visitor.get("/upload").status_code == 302  # new anonymous uploads: sign in first


def test_author_submits_editor_publishes_and_archives(kb, authored, add_user):
    item_id, author = authored
    editor = Viewer(add_user("red", "redaktion"), ("redaktion",), name="red")
    assert [t.target for t in workflow.available_transitions(author, _item(kb, item_id))] == [
        "review"
    ]
    workflow.change_state(kb, item_id, "review", author, "Bitte prüfen")
    with pytest.raises(Forbidden):
        workflow.change_state(kb, item_id, "published", author)
    assert [i.id for i in workflow.review_queue(kb, editor)] == [item_id]
    workflow.change_state(kb, item_id, "published", editor, "Passt")
    workflow.change_state(kb, item_id, "archived", editor)
    assert _state(kb, item_id) == "archived"
    with kb.db.reading() as session:
        steps = session.scalars(select(WorkflowStep).order_by(WorkflowStep.id)).all()
        assert [(s.from_state, s.to_state, s.comment) for s in steps] == [
            ("draft", "review", "Bitte prüfen"),
            ("review", "published", "Passt"),
            ("published", "archived", ""),
        ]
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("state_change") == 3


def _item(kb, item_id):
    with kb.db.reading() as session:
        return session.get(Item, item_id)


def test_review_queue_is_for_editors_only(kb, authored):
    _, author = authored
    with pytest.raises(Forbidden):
        workflow.review_queue(kb, author)


def test_a_foreign_author_neither_sees_nor_moves_a_draft(kb, authored, add_user):
    item_id, _ = authored
    other = Viewer(add_user("andere", "autor"), ("autor",))
    with pytest.raises(NotFound):
        workflow.change_state(kb, item_id, "review", other)


def test_unknown_target_state_is_a_clear_error(kb, authored):
    item_id, author = authored
    with pytest.raises(Exception, match="Unbekannter Status"):
        workflow.change_state(kb, item_id, "gelöscht", author)


def test_edit_page_changes_metadata_but_never_the_state(client, kb, authored):
    item_id, _ = authored
    login(client, "autorin")
    response = client.post(
        f"/items/{item_id}/edit",
        data={
            "title": "Förderantrag 2027 (korrigiert)",
            "kind": "leitfaden",
            "access": "internal",
            "licence": "cc-by-4.0",
            "state": "published",  # not a form field: must be ignored
        },
    )
    assert response.status_code == 302
    item = _item(kb, item_id)
    assert (item.title, item.kind, item.access, item.licence, item.state) == (
        "Förderantrag 2027 (korrigiert)",
        "leitfaden",
        "internal",
        "cc-by-4.0",
        "draft",
    )
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "CC BY 4.0" in page


def test_edit_rejects_bad_values_in_german(client, authored):
    item_id, _ = authored
    login(client, "autorin")
    response = client.post(f"/items/{item_id}/edit", data={"title": " ", "kind": "praesentation"})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Titel an." in response.get_data(as_text=True)
    response = client.post(
        f"/items/{item_id}/edit", data={"title": "x", "kind": "praesentation", "licence": "gpl"}
    )
    assert response.status_code == 400 and "Unbekannte Lizenz" in response.get_data(as_text=True)


def test_item_page_offers_the_steps_and_history(client, kb, authored):
    item_id, author = authored
    login(client, "autorin")
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Zur Prüfung einreichen" in page and "Veröffentlichen" not in page
    response = client.post(
        f"/items/{item_id}/state", data={"target": "review", "comment": "fertig"}
    )
    assert response.status_code == 302
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Entwurf → Zur Prüfung" in page and "„fertig“" in page


def test_audit_records_upload_edit_download_and_login_failure(client, kb, authored, add_user):
    item_id, _ = authored
    add_user("admin", "admin")
    client.post("/login", data={"username": "admin", "password": "falsch-falsch"})
    login(client, "admin")
    with kb.db.reading() as session:
        file_id = session.get(Item, item_id).files[0].id
    with client.get(f"/items/{item_id}/files/{file_id}") as response:
        assert response.status_code == 200
    page = client.get("/admin/audit").get_data(as_text=True)
    for label in ("Hochgeladen", "Anmeldung fehlgeschlagen", "Interne Datei heruntergeladen"):
        assert label in page
    csv_text = client.get("/admin/audit.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffZeit (UTC);Benutzer;Aktion")
    assert "Förderantrag.txt" in csv_text


def test_csv_export_defuses_formulas():
    row = audit.AuditRow(utcnow(), "x", "edit", "Bearbeitet", None, "=HYPERLINK(1)", "")
    assert ";'=HYPERLINK(1);" in audit.as_csv([row])


def test_personal_data_is_purged_after_the_retention_period(kb):
    old = utcnow() - dt.timedelta(days=100)
    fresh = utcnow() - dt.timedelta(days=10)
    with kb.db.writing() as session:
        for at in (old, fresh):
            audit.record(
                session, "login_failed", Viewer(name="mallory", address="203.0.113.9"), at=at
            )
        session.add(LoginFailure(at=old, login_name="mallory", address="203.0.113.9"))
    assert audit.purge_personal_data(kb, utcnow(), retention_days=90) == 1
    with kb.db.reading() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.at)).all()
        assert [(r.login_name, r.address, r.action) for r in rows] == [
            ("", "", "login_failed"),
            ("mallory", "203.0.113.9", "login_failed"),
        ]
        assert session.scalars(select(LoginFailure)).all() == []
    assert audit.purge_personal_data(kb, utcnow(), retention_days=90) == 0


def test_worker_purges_once_a_day(kb):
    from kb.services.jobs import Worker

    old = dt.datetime(2026, 1, 1)
    with kb.db.writing() as session:
        audit.record(session, "login_failed", Viewer(address="203.0.113.9"), at=old)
    worker = Worker(kb, clock=lambda: dt.datetime(2026, 6, 1, 3, 0))
    worker.purge_if_due()
    with kb.db.reading() as session:
        assert session.scalar(select(AuditEvent.address)) == ""


def test_licence_appears_in_the_handout(client, kb, authored, set_item):
    import pypdf

    item_id, _ = authored
    set_item(item_id, licence="cc-by-sa-4.0", state="published", access="public")
    with client.get(f"/items/{item_id}/handout.pdf") as response:
        assert response.status_code == 200
        reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Lizenz" in text and "CC BY-SA 4.0" in text
