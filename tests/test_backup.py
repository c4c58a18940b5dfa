"""``kb backup DIR`` and the restore drill of docs/betrieb.md.

A backup is a dated export folder, written under a temporary name and renamed when
complete; the newest ``--keep`` are kept; any failure exits 1 with a German line and
leaves older backups alone. The drill: back up, restore into a fresh instance, ``kb
check`` is clean, and searches and ``kb stats`` give the same answers as the original.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json

import pytest
from conftest import open_app

from kb.models import FileVersion
from kb.services.access import ANONYMOUS
from kb.services.accounts import viewer_by_name
from kb.services.backup import LOCK_NAME, BackupFailed, backups, run_backup
from kb.services.search import run_search

T0 = dt.datetime(2026, 3, 1, 2, 30, 0)
FAILED = "Fehler: Die Sicherung ist fehlgeschlagen"


def test_a_backup_is_a_dated_complete_export(kb, make_item, runner, tmp_path):
    make_item("Verwendungsnachweis und Sachbericht", title="Leitfaden Nachweis")
    result = runner.invoke(args=["backup", str(tmp_path / "sicherung")])
    assert result.exit_code == 0, result.output
    [made] = backups(tmp_path / "sicherung")
    assert made.name.startswith("kb-backup-") and len(made.name) == len("kb-backup-20260301-023000")
    assert f"Sicherung geschrieben: {made}" in result.output
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["tables"]["items"]["rows"] == 1
    assert any(name.startswith("blobs/") for name in manifest["files"])


def test_the_newest_are_kept(kb, make_item, tmp_path):
    make_item("Text", title="Eins")
    root = tmp_path / "b"
    for n in range(9):
        run_backup(kb, root, keep=7, now=T0 + dt.timedelta(days=n))
    names = [p.name for p in backups(root)]
    assert names == [f"kb-backup-202603{d:02d}-023000" for d in range(3, 10)]
    result = run_backup(kb, root, keep=2, now=T0 + dt.timedelta(days=20))
    assert [p.name for p in result.removed] == names[:6]
    assert [p.name for p in backups(root)] == ["kb-backup-20260309-023000", result.path.name]


def test_two_backups_in_one_second_get_their_own_folders(kb, tmp_path):
    first = run_backup(kb, tmp_path, now=T0).path
    second = run_backup(kb, tmp_path, now=T0).path
    assert (first.name, second.name) == ("kb-backup-20260301-023000", "kb-backup-20260301-023000-2")
    assert backups(tmp_path) == [first, second]


def test_a_failed_backup_exits_1_in_german_and_keeps_the_old_ones(kb, make_item, runner, tmp_path):
    make_item("Text", title="Eins")
    root = tmp_path / "b"
    good = run_backup(kb, root, keep=1, now=T0).path
    with kb.db.reading() as session:
        sha = session.query(FileVersion.sha256).scalar()
    kb.store.path(sha).unlink()  # a blob the export cannot copy
    result = runner.invoke(args=["backup", str(root), "--keep", "1"])
    assert result.exit_code == 1
    assert FAILED in result.output and f"Die Datei {sha} fehlt im Speicher" in result.output
    assert "Ältere Sicherungen sind unverändert." in result.output
    assert "Traceback" not in result.output
    assert backups(root) == [good] and sorted(p.name for p in root.iterdir()) == [
        LOCK_NAME,
        good.name,
    ]  # nothing half-written left


@pytest.mark.parametrize("keep", ["0", "-3"])
def test_keep_must_be_positive(runner, tmp_path, keep):
    result = runner.invoke(args=["backup", str(tmp_path), "--keep", keep])
    assert result.exit_code == 1 and "--keep muss mindestens 1 sein" in result.output


def test_a_target_that_is_a_file_is_refused(runner, tmp_path):
    target = tmp_path / "datei"
    target.write_text("kein Ordner")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert target.read_text() == "kein Ordner"


def test_a_target_below_a_file_is_refused_in_german(kb, tmp_path):
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner")
    with pytest.raises(BackupFailed) as info:
        run_backup(kb, blocker / "unten")
    assert "kann nicht angelegt werden" in info.value.message_de


def test_an_overlapping_run_is_refused(kb, tmp_path):
    with open(tmp_path / LOCK_NAME, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(BackupFailed) as info:
            run_backup(kb, tmp_path)
    assert "läuft gerade eine andere Sicherung" in info.value.message_de
    assert backups(tmp_path) == []


def test_a_killed_runs_partial_folder_is_removed_and_never_counts(kb, tmp_path):
    partial = tmp_path / "kb-backup-20260228-023000.partial"
    (partial / "tables").mkdir(parents=True)
    (partial / "manifest.json").write_text("{}")
    assert backups(tmp_path) == []
    made = run_backup(kb, tmp_path, now=T0).path
    assert not partial.exists() and backups(tmp_path) == [made]


QUERIES = ["Verwendungsnachweis", "Integration", "Sprachkurs Landkreis", "Förderantrag", "AMIF"]


def _answers(kb, viewer) -> list[tuple[str, int, list[tuple[int, str, list[int]]]]]:  # type: ignore[no-untyped-def]
    out = []
    for query in QUERIES:
        result = run_search(kb, query, viewer)
        hits = [(h.item_id, h.title, [p.number for p in h.pages]) for h in result.hits]
        out.append((query, result.total, hits))
    return out


def _stats(runner) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = runner.invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    return {"items": stats["items"], "files": stats["files"], "pages": stats["pages"]}


def test_restore_drill(
    kb, runner, make_item, add_user, set_item, make_pptx, upload, tmp_path, template_db
):
    """The drill of docs/betrieb.md: backup, restore into an empty instance, compare."""
    make_item("Verwendungsnachweis\fSachbericht mit Belegliste\fIntegration im Landkreis",
              title="Leitfaden Verwendungsnachweis")  # fmt: skip
    internal = make_item("Förderantrag AMIF intern", title="Interne Notiz")
    set_item(internal, access="internal")
    upload([("impuls.pptx", make_pptx(["Sprachkurs\nIm Landkreis", "Integration\nArbeitsmarkt"]))])
    add_user("leserin", "leser")  # after the uploads: accounts end open mode
    reader = viewer_by_name(kb, "leserin")
    before = (_answers(kb, ANONYMOUS), _answers(kb, reader), _stats(runner))
    assert before[0][0][1] >= 1 and before[1] != before[0]  # the queries find things

    backup = runner.invoke(args=["backup", str(tmp_path / "sicherung")])
    assert backup.exit_code == 0, backup.output
    [folder] = backups(tmp_path / "sicherung")

    fresh = open_app(tmp_path / "neu", template_db)  # an empty instance after `kb init`
    try:
        fresh_runner = fresh.test_cli_runner()
        restored = fresh_runner.invoke(args=["restore", str(folder)])
        assert restored.exit_code == 0, restored.output
        check = fresh_runner.invoke(args=["check"])
        assert check.exit_code == 0 and "Alles in Ordnung." in check.output, check.output
        kb2 = fresh.extensions["kb"]
        after = (_answers(kb2, ANONYMOUS), _answers(kb2, viewer_by_name(kb2, "leserin")))
        assert after == before[:2]
        assert _stats(fresh_runner) == before[2]
    finally:
        fresh.extensions["kb"].close()
        template_db.release(fresh.config["KB_DATABASE_URL"])
