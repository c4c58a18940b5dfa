"""Who may remove a blob, and when: references and deletions under one lock.

Bytes are deduplicated, so an upload of bytes that a purged item also held reuses the
stored blob: its ``put`` finds the file and writes nothing. Between that ``put`` and the
commit of the new file version there is no row that references the blob, so a purge that
only looked at the database could delete the bytes just being claimed. Two rules close
that window:

- the purge deletes a blob only inside a writing transaction that holds the blob lock,
  after re-reading the references in that transaction (:func:`delete_unreferenced`);
- every transaction that adds a file version takes the same lock and checks that the blob
  is still there before its row is committed (:func:`claim`), so an upload that lost the
  race is refused with a clear message instead of pointing at missing bytes.

The lock is the database's write lock on SQLite (``BEGIN IMMEDIATE`` serialises writers)
and an advisory transaction lock on PostgreSQL.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kb.errors import KbError
from kb.models import FileVersion
from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: Any fixed number (distinct from the index log's): the PostgreSQL advisory lock that
#: serialises "reference a blob" against "delete a blob".
BLOB_LOCK = 7311


class BlobGone(KbError):
    """The bytes were purged between storing and recording them (a rare race)."""

    code = "blob_gone"
    status = 409


def lock_blobs(session: Session) -> None:
    """Hold the blob lock until the transaction ends (a no-op on SQLite, see above)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": BLOB_LOCK})


def claim(kb: Kb, session: Session, sha256: str) -> None:
    """Make sure ``sha256`` is stored before a new file version referencing it commits.

    Call inside the writing transaction that adds the row.

    :raises BlobGone: a purge removed the bytes after they were stored.
    """
    lock_blobs(session)
    if not kb.store.exists(sha256):
        logger.warning("Blob %s was purged while being uploaded; upload refused", sha256)
        raise BlobGone(
            "Die Datei wurde beim Speichern gleichzeitig aus dem Papierkorb endgültig "
            "gelöscht. Es wurde nichts gespeichert; bitte laden Sie sie noch einmal hoch.",
            "The file was purged from the trash while it was being stored. Nothing was "
            "stored; please upload it again.",
        )


def delete_unreferenced(kb: Kb, hashes: Iterable[str]) -> list[str]:
    """Delete the blobs among ``hashes`` that no file version references (and their page
    images, which are derived from the bytes); return the deleted hashes.

    The references are read under the blob lock in a writing transaction and the files
    are removed before it ends, so no upload can commit a reference in between.
    """
    from kb.services import previews  # it imports the upload service, which imports this

    wanted = set(hashes)
    if not wanted:
        return []
    with kb.db.writing() as session:
        lock_blobs(session)
        used = set(
            session.scalars(select(FileVersion.sha256).where(FileVersion.sha256.in_(wanted)))
        )
        gone = sorted(wanted - used)
        for sha in gone:
            kb.store.delete(sha)
            # No copy of a purged document's pages may stay on disk.
            shutil.rmtree(previews.folder(kb, sha), ignore_errors=True)
    return gone
