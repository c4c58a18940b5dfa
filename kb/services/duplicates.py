"""Duplicates: the same bytes are stored once, and an upload of a file that already exists
says where it is instead of quietly creating a twin.

Where it is may be named only to someone who may see that item; anyone else
learns only that the file is already stored (the bytes were theirs to upload,
the other item's title and location are not theirs to learn).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kb.models import FileVersion, Item
from kb.services.access import Viewer, can_view
from kb.services.context import Kb


@dataclass(frozen=True)
class Existing:
    #: None when the viewer may not see the item that holds the file.
    item_id: int | None
    title: str

    def messages(self) -> dict[str, str]:
        if self.item_id is None:
            return {
                "de": "Diese Datei ist bereits gespeichert – in einem Eintrag, den Sie nicht "
                "sehen dürfen.",
                "en": "This file is already stored, in an item you may not see.",
            }
        return {
            "de": f"Diese Datei ist bereits gespeichert: „{self.title}“.",
            "en": f"This file is already stored: '{self.title}'.",
        }


def find(kb: Kb, sha256: str, viewer: Viewer) -> Existing | None:
    """The item that already holds these bytes (its oldest file version), if any."""
    with kb.db.reading() as session:
        row = session.execute(
            select(Item)
            .join(FileVersion, FileVersion.item_id == Item.id)
            .where(FileVersion.sha256 == sha256, Item.deleted_at.is_(None))
            .order_by(FileVersion.id)
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        if not can_view(viewer, row):
            return Existing(None, "")
        return Existing(row.id, row.title)
