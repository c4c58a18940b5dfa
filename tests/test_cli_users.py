"""``kb users …`` and ``kb audit …`` at the console."""

from __future__ import annotations

import json

from conftest import login


def test_users_add_list_set_role_disable_enable(runner, client):
    result = runner.invoke(args=["users", "add", "Anna", "--role", "autor", "--password-stdin"],
                           input="ein-gutes-passwort\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Benutzer „anna“ angelegt (Autor)" in result.output
    assert login(client, "anna", "ein-gutes-passwort").status_code == 302
    assert runner.invoke(args=["users", "set-role", "anna", "redaktion"]).exit_code == 0
    listed = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    assert [(u["username"], u["role"], u["active"]) for u in listed] == [
        ("anna", "redaktion", True)
    ]
    assert runner.invoke(args=["users", "disable", "anna"]).exit_code == 0
    assert "(deaktiviert)" in runner.invoke(args=["users", "list"]).output
    assert client.get("/account").status_code == 302  # the open session ended
    assert runner.invoke(args=["users", "enable", "anna"]).exit_code == 0


def test_users_add_without_password_prints_a_one_time_link(runner, client):
    result = runner.invoke(args=["users", "add", "bert", "--role", "leser"])
    assert result.exit_code == 0
    link = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    assert link.startswith("http://kb.test/reset/")
    path = link.removeprefix("http://kb.test")
    assert client.get(path).status_code == 200
    new = "bert-sein-passwort"
    assert client.post(path, data={"new": new, "repeat": new}).status_code == 302
    assert login(client, "bert", new).status_code == 302


def test_users_bad_input_is_one_german_line(runner):
    runner.invoke(args=["users", "add", "anna", "--password-stdin"], input="lang-genug-1234\n")
    cases = [
        (["users", "add", "anna", "--password-stdin"], "lang-genug-1234\n", "gibt es schon"),
        (["users", "add", "x y", "--password-stdin"], "lang-genug-1234\n", "Benutzername darf"),
        (["users", "add", "carl", "--password-stdin"], "kurz\n", "mindestens 10 Zeichen"),
        (["users", "disable", "niemand"], None, "gibt es nicht"),
        (["users", "events", "anna", "keine-veranstaltung"], None, "Unbekannte Veranstaltung"),
        (["users", "add", "dora", "--district", "99999"], None, "Unbekannter Landkreis"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_audit_export_and_purge(runner, client):
    client.post("/login", data={"username": "mallory", "password": "falsch-falsch"})
    exported = runner.invoke(args=["audit", "export"])
    assert exported.exit_code == 0
    assert "Anmeldung fehlgeschlagen" in exported.output and "mallory" in exported.output
    purged = runner.invoke(args=["audit", "purge", "--days", "0"])
    assert purged.exit_code == 0 and purged.output.startswith("1 Einträge bereinigt")
    assert "mallory" not in runner.invoke(args=["audit", "export"]).output
