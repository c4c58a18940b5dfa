"""kb bulk-import: a folder tree with kb-meta.csv sidecars; a dry run reports, errors stop all."""

from __future__ import annotations

from sqlalchemy import select

from kb.models import Event, Item


def _tree(root):
    (root / "2019" / "protokolle").mkdir(parents=True)
    (root / "kb-meta.csv").write_text(
        "file;kind;access;topics\n*;leitfaden;internal;Sprache|Beratung\n", encoding="utf-8"
    )
    (root / "allgemein.txt").write_text("Allgemeiner Leitfaden Wohnsitzauflage")
    (root / "2019" / "kb-meta.csv").write_text(
        "file,kind,event,district,title\n"
        ",protokoll,werkstatt-2019,15002,\n"
        "rede.txt,praesentation,,15002|15003,Die Rede\n",
        encoding="utf-8",
    )
    (root / "2019" / "rede.txt").write_text("Rede über Integrationskurse")
    (root / "2019" / "protokolle" / "sitzung.txt").write_text("Sitzungsprotokoll Halle")


def _event(kb):
    with kb.db.writing() as session:
        session.add(Event(slug="werkstatt-2019", title="Werkstatt 2019"))


def test_dry_run_reports_and_stores_nothing(kb, runner, tmp_path):
    _event(kb)
    _tree(tmp_path / "alt")
    result = runner.invoke(args=["bulk-import", str(tmp_path / "alt"), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "würde importiert: allgemein.txt – Art leitfaden; Zugriff internal" in out
    assert "Themen Sprache, Beratung" in out
    assert "würde importiert: 2019/rede.txt – Art praesentation" in out
    assert "Kreise 15002, 15003" in out
    sitzung = next(line for line in out.splitlines() if "sitzung.txt" in line)
    assert "Art protokoll" in sitzung and "Veranstaltung werkstatt-2019" in sitzung
    assert "Zugriff internal" in sitzung  # inherited from the parent folder
    assert "Probelauf: 3 Dateien" in out
    with kb.db.reading() as session:
        assert session.scalars(select(Item)).all() == []


def test_import_applies_the_sidecars(kb, runner, tmp_path):
    _event(kb)
    _tree(tmp_path / "alt")
    result = runner.invoke(args=["bulk-import", str(tmp_path / "alt")])
    assert result.exit_code == 0, result.output
    with kb.db.reading() as session:
        items = {i.title: i for i in session.scalars(select(Item))}
        rede = items["Die Rede"]
        assert rede.kind == "praesentation" and rede.access == "internal"
        assert [d.ags for d in rede.districts] == ["15002", "15003"]
        assert rede.event.slug == "werkstatt-2019"
        assert sorted(t.name for t in rede.topics) == ["Beratung", "Sprache"]
        assert items["allgemein"].kind == "leitfaden" and items["allgemein"].event is None
        assert rede.state == "published"
    again = runner.invoke(args=["bulk-import", str(tmp_path / "alt"), "--dry-run"])
    assert again.output.count("vorhanden:") == 3


def test_errors_stop_everything(kb, runner, tmp_path):
    _tree(tmp_path / "alt")  # the event does not exist
    (tmp_path / "alt" / "2019" / "kb-meta.csv").write_text(
        "file,kind,district\nfehlt.txt,protokoll,\nrede.txt,roman,99999\n", encoding="utf-8"
    )
    (tmp_path / "alt" / "kaputt").mkdir()
    (tmp_path / "alt" / "kaputt" / "kb-meta.csv").write_text("file,farbe\nx,rot\n")
    result = runner.invoke(args=["bulk-import", str(tmp_path / "alt")])
    assert result.exit_code == 1
    out = result.output
    assert "„fehlt.txt“ gibt es in diesem Ordner nicht" in out
    assert "unbekannte Spalte(n) farbe" in out
    assert "Unbekannte Art: „roman“" in out
    assert "nichts importiert" in out
    with kb.db.reading() as session:
        assert session.scalars(select(Item)).all() == []
