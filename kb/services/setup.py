"""Instance set-up: schema, folders, index (``kb init``), and demo content (``kb demo``)."""

from __future__ import annotations

import datetime as dt
import logging

from kb.migrate import upgrade
from kb.services.context import Kb
from kb.services.indexing import ensure_index
from kb.services.reference import districts_file, load_districts
from kb.services.vocabulary import load_reference_data

logger = logging.getLogger(__name__)


def init_instance(kb: Kb) -> None:
    """Migrate the database to head, create the data folders and an empty index (idempotent).

    Seeds the districts of ``KB_DISTRICTS_FILE`` (default Sachsen-Anhalt).

    :raises ValidationError: the district file is bad (its lines named).
    """
    upgrade(kb.db.engine)
    kb.store.root.mkdir(parents=True, exist_ok=True)
    kb.index.root.mkdir(parents=True, exist_ok=True)
    load_districts(kb, districts_file(kb))
    load_reference_data(kb)
    ensure_index(kb)


def load_demo(kb: Kb, today: dt.date | None = None) -> int:
    """Load the demo (the workshop series with its history, talks, guidance editions, Q&A);
    return the number of items created.

    Does nothing (returns 0) when the demo is there already, so ``make run`` can call it
    on every start. See :mod:`kb.services.demo_loader`.
    """
    from kb.services import demo_loader

    if demo_loaded(kb):
        return 0  # loaded before; building the demo files (a PDF render) would be wasted
    return demo_loader.load(kb, today or kb.today())


def demo_loaded(kb: Kb) -> bool:
    from kb.services.demo_loader import demo_loaded as loaded

    return loaded(kb)
