"""What every service needs, bundled once per app or CLI process."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.db import Database, make_database
from kb.search.index import SearchIndex
from kb.storage import BlobStore


@dataclass
class Kb:
    """The database, blob store and index of one instance, plus its settings."""

    db: Database
    store: BlobStore
    index: SearchIndex
    config: dict[str, Any]
    #: Set to wake an in-process worker at once after a commit that queued a job.
    job_signal: threading.Event = field(default_factory=threading.Event)

    @property
    def templates_dir(self) -> Path:
        return Path(self.config["TEMPLATES_DIR"])

    @property
    def static_dir(self) -> Path:
        return Path(self.config["STATIC_DIR"])

    @property
    def base_url(self) -> str:
        return str(self.config["KB_BASE_URL"])

    def today(self) -> dt.date:
        """Today's date, the one clock that validity banners, deadlines and feeds compare with.

        Tests (and a demo for a given day) fix it with the ``KB_TODAY`` setting (ISO date).
        """
        fixed = self.config.get("KB_TODAY")
        return dt.date.fromisoformat(str(fixed)) if fixed else dt.date.today()

    def close(self) -> None:
        self.index.close()
        self.db.dispose()


def make_kb(config: dict[str, Any]) -> Kb:
    """Open the instance described by ``config`` (see :func:`kb.config.load_config`)."""
    return Kb(
        db=make_database(
            config["KB_DATABASE_URL"], float(config.get("KB_DB_TIMEOUT_SECONDS") or 30)
        ),
        store=BlobStore(Path(config["KB_UPLOAD_DIR"])),
        index=SearchIndex(Path(config["KB_INDEX_DIR"])),
        config=config,
    )
