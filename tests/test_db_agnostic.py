"""What SQLite lets slide and PostgreSQL does not: the suite runs on both (make test-pg)."""

from __future__ import annotations

import io

from sqlalchemy import select

from kb.models import Item, Tag
from kb.services.access import ANONYMOUS
from kb.services.items import ItemMeta, UploadFile, upload_files


def test_overlong_metadata_is_cut_to_the_column_sizes(kb):
    # SQLite stores any length in a VARCHAR(n); PostgreSQL refuses the whole upload.
    long_topic = "Förderübersicht für Ämter " * 8  # 208 characters, a longer slug with "ue"/"ae"
    meta = ItemMeta(
        title="T" * 600,
        organisation="Ö" * 400,
        speakers="Ü" * 600,
        topics=[long_topic],  # not in the vocabulary: it becomes a free tag
    )
    upload = UploadFile("lang.txt", io.BytesIO(b"Text"))
    outcome = upload_files(kb, [upload], meta, ANONYMOUS)[0]
    assert outcome.status == "queued"
    with kb.db.reading() as session:
        item = session.get(Item, outcome.item_id)
        assert (len(item.title), len(item.organisation)) == (500, 300)
        assert len(item.speakers) == 200  # one person's name is cut to its column (200)
        tag = session.scalars(select(Tag)).one()
        assert len(tag.slug) <= 80 and len(tag.name) <= 120
        assert tag.slug.startswith("foerderuebersicht-fuer-aemter")
