"""``kb check``: is the instance consistent? Database, blobs and index compared.

Problems (exit 1): a referenced blob missing or with the wrong hash, a
finished file version without pages, an item, event or Q&A entry missing from
the index or an index document without its object, the index behind the log with no indexer
running. Warnings: blobs no file version references (left by an interrupted
upload; harmless, reclaimable).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from kb.models import Event, FileVersion, IndexLog, Item, Page, QAEntry
from kb.services.context import Kb
from kb.services.documents import object_key, parse_key
from kb.services.replicas import misses_entries


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_check(kb: Kb) -> CheckReport:
    report = CheckReport()
    with kb.db.reading() as session:
        versions = session.execute(
            select(FileVersion.id, FileVersion.sha256, FileVersion.status)
        ).all()
        page_counts = dict(
            session.execute(
                select(Page.file_version_id, func.count(Page.id)).group_by(Page.file_version_id)
            ).all()
        )
        item_ids = set(session.scalars(select(Item.id).where(Item.deleted_at.is_(None))))
        keys = {object_key("item", i) for i in item_ids}
        keys |= {object_key("event", i) for i in session.scalars(select(Event.id))}
        keys |= {object_key("qa", i) for i in session.scalars(select(QAEntry.id))}
        max_log = session.scalar(select(func.max(IndexLog.id))) or 0
    _check_blobs(kb, versions, report)
    for fv_id, _sha, status in versions:
        if status == "done" and not page_counts.get(fv_id):
            report.problems.append(f"Dateiversion {fv_id} ist verarbeitet, hat aber keine Seiten.")
    _check_index(kb, keys, max_log, report)
    report.counts = {"items": len(item_ids), "file_versions": len(versions), "log_max": max_log}
    return report


def _check_blobs(kb: Kb, versions, report: CheckReport) -> None:  # type: ignore[no-untyped-def]
    referenced = set()
    for fv_id, sha, _status in versions:
        referenced.add(sha)
        if not kb.store.exists(sha):
            report.problems.append(f"Dateiversion {fv_id}: Datei {sha} fehlt im Speicher.")
        elif not kb.store.verify(sha):
            report.problems.append(f"Dateiversion {fv_id}: Datei {sha} hat eine falsche Prüfsumme.")
    for sha in kb.store.iter_hashes():
        if sha not in referenced:
            report.warnings.append(f"Datei {sha} im Speicher gehört zu keiner Dateiversion.")


def _check_index(kb: Kb, keys: set[str], max_log: int, report: CheckReport) -> None:
    if not kb.index.exists():
        report.problems.append("Es gibt keinen Suchindex (kb init oder kb reindex ausführen).")
        return
    applied = kb.index.applied_id()
    with kb.index.writer_lock() as free:
        indexer_idle = free
        stale = kb.index.stale_dirs() if free else []  # else one may be a rebuild at work
    for path in stale:
        report.warnings.append(
            f"Suchindex-Ordner {path.name} stammt von einem abgebrochenen Neuaufbau; "
            "er wird beim nächsten kb reindex oder Start des Workers entfernt."
        )
    with kb.db.reading() as session:
        behind = misses_entries(session, applied)
    if behind:
        report.problems.append(
            f"Der Suchindex ist bei Eintrag {applied}, aber Einträge danach sind aus dem "
            "Protokoll schon gelöscht (der Server war zu lange weg): kb reindex ausführen "
            "oder den Worker neu starten."
        )
        return
    if applied < max_log and indexer_idle:
        report.problems.append(
            f"Der Suchindex ist bei Eintrag {applied}, das Protokoll bei {max_log}, "
            "und kein Indexer läuft (kb reindex oder kb worker starten)."
        )
        return  # the comparison below would only repeat the lag
    indexed = kb.index.object_keys()
    for key in sorted(keys - indexed):
        report.problems.append(f"{_describe(key)} fehlt im Suchindex.")
    for key in sorted(indexed - keys):
        report.problems.append(f"Der Suchindex enthält {_describe(key)}, den es nicht mehr gibt.")


def _describe(key: str) -> str:
    """ "12" -> "Eintrag 12", "e3" -> "Veranstaltung 3", "q5" -> "Frage 5"."""
    object_type, object_id = parse_key(key)
    noun = {"item": "Eintrag", "event": "Veranstaltung", "qa": "Frage"}[object_type]
    return f"{noun} {object_id}"
