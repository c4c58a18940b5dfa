"""The index is a replica: replay is harmless, rebuilds are complete, one writer at a time."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from kb.models import IndexLog, Item
from kb.services.access import ANONYMOUS
from kb.services.indexing import append_index_log, apply_index_log
from kb.services.search import run_search


def test_replaying_the_log_is_harmless(kb, make_item):
    make_item("Zwischennachweis einreichen")
    with kb.db.writing() as session:
        max_id = session.scalar(select(func.max(IndexLog.id)))
    # Forget what was applied by replaying from zero into the same index.
    kb.index.replace_objects({}, 0)
    assert kb.index.applied_id() == 0
    assert apply_index_log(kb) >= 1
    assert kb.index.applied_id() == max_id
    assert run_search(kb, "Zwischennachweis", ANONYMOUS).total == 1


def test_reindex_rebuilds_from_the_database_alone(kb, make_item, runner):
    make_item("Belegliste vollständig")
    old_dir = kb.index.current_dir()
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert kb.index.current_dir() != old_dir
    assert not old_dir.exists()
    assert run_search(kb, "Belegliste", ANONYMOUS).total == 1


def test_deleted_item_leaves_the_index(kb, make_item):
    item_id = make_item("Fristverlängerung beantragen")
    with kb.db.writing() as session:
        session.execute(delete(Item).where(Item.id == item_id))
        append_index_log(session, item_id)
    apply_index_log(kb)
    assert run_search(kb, "Fristverlängerung", ANONYMOUS).total == 0
    assert item_id not in kb.index.item_ids()


def test_no_second_writer(kb, make_item):
    make_item("Kostenplan", wait=False)
    from kb.services import jobs

    with kb.index.writer_lock() as got:
        assert got
        # Another process (here: another lock holder) cannot apply; it returns at once.
        with kb.index.writer_lock() as second:
            assert not second
    jobs.run_until_idle(kb)
    assert run_search(kb, "Kostenplan", ANONYMOUS).total == 1


def test_log_ids_are_not_reused_after_pruning(kb, make_item):
    make_item("Erster Eintrag")
    with kb.db.writing() as session:
        top = session.scalar(select(func.max(IndexLog.id)))
        session.execute(delete(IndexLog))
    with kb.db.writing() as session:
        append_index_log(session, 1)
        session.flush()
        assert session.scalar(select(func.max(IndexLog.id))) > top
