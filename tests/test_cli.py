"""The ``kb`` command through the click runner."""

from __future__ import annotations

import json

from pypdf import PdfReader

from kb.services.access import ANONYMOUS
from kb.services.search import run_search


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_import_folder_recursively_as_json(runner, tmp_path, make_pptx):
    folder = tmp_path / "workshop"
    (folder / "sub").mkdir(parents=True)
    (folder / "Begrüßung.txt").write_text("Willkommen zur Ideenwerkstatt", encoding="utf-8")
    (folder / "sub" / "impuls.pptx").write_bytes(make_pptx(["A", "B", "Lotsenprogramm"]))
    (folder / "sub" / "leer.txt").write_bytes(b"")
    result = runner.invoke(args=["import", str(folder), "--kind", "praesentation", "--json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    records = {r["title"]: r for r in map(json.loads, lines)}  # nothing but JSON on stdout
    assert set(records) == {"Begrüßung.txt", "impuls.pptx", "leer.txt"}
    assert records["impuls.pptx"]["status"] == "searchable"
    assert records["leer.txt"]["status"] == "failed"
    assert records["leer.txt"]["message"] == "Die Datei ist leer."
    assert set(records["impuls.pptx"]) == {"id", "title", "file", "sha256", "status", "message"}

    search = runner.invoke(args=["search", "Lotsenprogramm", "--json"])
    payload = json.loads(search.output)
    assert payload["total"] == 1
    hit = payload["hits"][0]
    assert hit["pages"][0]["page"] == 3
    assert hit["files"][0]["name"] == "impuls.pptx"
    assert hit["url"] == f"http://kb.test/items/{hit['id']}"


def test_import_single_file_with_title_state_and_no_wait(runner, kb, tmp_path):
    path = tmp_path / "entwurf.txt"
    path.write_text("Sommerakademie", encoding="utf-8")
    args = ["import", str(path), "--title", "Mein Titel", "--state", "draft", "--no-wait", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    (record,) = _json_lines(result.output)
    assert record["status"] == "reading"
    assert run_search(kb, "Sommerakademie", ANONYMOUS).total == 0


def test_import_bad_kind_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    result = runner.invoke(args=["import", str(path), "--kind", "unsinn"])
    assert result.exit_code == 1
    assert "Unbekannte Art" in result.output


def test_handout_command_writes_a_tagged_pdf(runner, make_item, tmp_path):
    item_id = make_item("Inhalt des Leitfadens", title="Leitfaden Förderantrag")
    out = tmp_path / "h.pdf"
    result = runner.invoke(args=["handout", str(item_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.metadata.title == "Leitfaden Förderantrag"
    missing = runner.invoke(args=["handout", "9999", "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code == 1 and "gibt es nicht" in missing.output


def test_check_is_clean_then_finds_damage(runner, kb, make_item):
    item_id = make_item("Prüfbarer Inhalt")
    clean = runner.invoke(args=["check", "--json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output)["ok"] is True

    (sha,) = list(kb.store.iter_hashes())
    kb.store.path(sha).write_bytes(b"kaputt")
    kb.index.replace_objects({item_id: []}, kb.index.applied_id())
    damaged = runner.invoke(args=["check", "--json"])
    assert damaged.exit_code == 1
    problems = json.loads(damaged.output)["problems"]
    assert any("falsche Prüfsumme" in p for p in problems)
    assert any(f"Eintrag {item_id} fehlt im Suchindex" in p for p in problems)


def test_check_reports_index_lag_and_orphan_blobs(runner, kb, make_item):
    import io

    from kb.services.indexing import append_index_log

    item_id = make_item("Noch nicht indexiert")
    with kb.db.writing() as session:
        append_index_log(session, item_id)
    lag = runner.invoke(args=["check"])
    assert lag.exit_code == 1 and "kein Indexer läuft" in lag.output
    runner.invoke(args=["reindex"])
    kb.store.put(io.BytesIO(b"verwaist"))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "gehört zu keiner Dateiversion" in result.output


def test_demo_loads_once_and_is_searchable(runner, kb):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "neu angelegt" in first.output
    again = runner.invoke(args=["demo"])
    assert "schon geladen" in again.output
    result = run_search(kb, "Patenschaftsmodell", ANONYMOUS)
    assert result.total == 1
    assert result.hits[0].pages[0].label == "Folie 3"
    assert runner.invoke(args=["check"]).exit_code == 0
