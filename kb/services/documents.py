"""What the index holds for each object: items (with their pages), events and Q&A entries.

Built from database rows as they are now; the indexer (kb/services/indexing.py)
replaces an object's documents with these. Each object has a key, stored in the
``item_id`` field: "12" for item 12, "e12" for event 12, "q5" for Q&A entry 5.
The network's structure is indexed with each item: event, series, district,
speakers, organisation, programme, tags and the issuing body are searchable
(in the boosted ``summary`` field) and facets; guidance carries its validity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.models import Event, FileVersion, Item, QAEntry
from kb.search.index import Document
from kb.services.access import access_principals, item_principals
from kb.services.validity import status as validity_status

#: The object types of index-log entries and their key prefixes.
KEY_PREFIXES = {"item": "", "event": "e", "qa": "q"}


def object_key(object_type: str, object_id: int) -> str:
    """The index key of an object: "12", "e12", "q5"."""
    return f"{KEY_PREFIXES[object_type]}{object_id}"


def parse_key(key: str) -> tuple[str, int]:
    """ "e12" -> ("event", 12); "12" -> ("item", 12).

    >>> parse_key("q5"), parse_key("12")
    (('qa', 5), ('item', 12))
    """
    for object_type, prefix in KEY_PREFIXES.items():
        if prefix and key.startswith(prefix):
            return object_type, int(key[len(prefix) :])
    return "item", int(key)


def _item_fields(item: Item, today: dt.date) -> Document:
    """The fields every document of ``item`` carries (facets, filters, item text)."""
    when = item.date or item.created_at.date()
    current = [f for f in item.files if f.is_current]
    event = item.event
    words = [item.summary, item.speakers, item.organisation, item.programme, item.body]
    words += [t.name for t in item.topics] + [d.name for d in item.districts]
    words += [tag.name for tag in item.tags]
    if item.issuing_body is not None:
        words += [item.issuing_body.name, item.issuing_body.short_name]
    if event is not None:
        words += [event.title, event.city, event.series.title if event.series else ""]
    return {
        "item_id": str(item.id),
        "title": item.title,
        "title_exact": item.title,
        "summary": " ".join(filter(None, words)),
        "kind": item.kind,
        "event": event.slug if event else "",
        "series": event.series.slug if event and event.series else "",
        "topic": ",".join(t.slug for t in item.topics),
        "district": ",".join(d.ags for d in item.districts),
        "year": str(when.year),
        "speaker": ",".join(p.name.replace(",", " ") for p in item.persons)
        or ",".join(s.strip() for s in item.speakers.replace(";", ",").split(",") if s.strip()),
        "organisation": item.organisation,
        "programme": item.programme,
        "validity": validity_status(item, today) or "",
        "filetype": ",".join(sorted({_filetype(f.filename) for f in current})),
        "date": dt.datetime.combine(when, dt.time()),
        "allow": " ".join(item_principals(item)),
    }


def _filetype(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix.isalnum() and len(suffix) <= 5 else "andere"


def documents_for_item(item: Item, today: dt.date | None = None) -> list[Document]:
    """The index documents of ``item``: the item document that searches match, and one page
    document per page of each current file that says where in the item a match stands."""
    base = _item_fields(item, today or dt.date.today())
    pages: list[Document] = []
    texts: list[str] = []
    for fv in item.files:
        if not fv.is_current:
            continue
        for page in fv.pages:
            texts.append(page.text)
            pages.append(
                {
                    "doc_id": f"i{item.id}/f{fv.id}/p{page.number}",
                    "doctype": "page",
                    "item_id": base["item_id"],
                    "page": page.number,
                    "unit": fv.page_unit,
                    "content": page.text,
                    "filename": fv.filename,
                    "allow": base["allow"],
                }
            )
    alltext = "\n".join(texts)
    item_doc = {
        **base,
        "doc_id": f"i{item.id}",
        "doctype": "item",
        "page": 0,
        "alltext": alltext,
        "alltext_exact": alltext,
        "words": f"{base['title']} {base['summary']} {alltext}",
    }
    return [item_doc, *pages]


def documents_for_event(event: Event) -> list[Document]:
    """One document per event: found by its title, place, series and description."""
    when = event.starts_on or dt.date(1970, 1, 1)
    series = event.series
    host = event.host_district
    summary = [event.city, event.venue, series.title if series else "", host.name if host else ""]
    text = event.description
    return [
        {
            "item_id": object_key("event", event.id),
            "doc_id": object_key("event", event.id),
            "doctype": "item",
            "page": 0,
            "title": event.title,
            "title_exact": event.title,
            "summary": " ".join(filter(None, summary)),
            "alltext": text,
            "alltext_exact": text,
            "words": f"{event.title} {' '.join(summary)} {text}",
            "kind": "veranstaltung",
            "event": event.slug,
            "series": series.slug if series else "",
            "district": event.host_district_ags or "",
            "year": str(when.year) if event.starts_on else "",
            "date": dt.datetime.combine(when, dt.time()),
            "allow": " ".join(access_principals(event.access)),
        }
    ]


def documents_for_qa(qa: QAEntry) -> list[Document]:
    """A Q&A entry: one document to match, one page document for its snippet."""
    key = object_key("qa", qa.id)
    event = qa.event
    body = qa.answering_body
    when = qa.asked_on or qa.created_at.date()
    text = f"{qa.question}\n{qa.answer}"
    summary = [body.name if body else "", body.short_name if body else ""]
    if event is not None:
        summary.append(event.title)
    allow = " ".join(access_principals(qa.access))
    return [
        {
            "item_id": key,
            "doc_id": key,
            "doctype": "item",
            "page": 0,
            "title": qa.question[:300],
            "title_exact": qa.question[:300],
            "summary": " ".join(filter(None, summary)),
            "alltext": text,
            "alltext_exact": text,
            "words": f"{' '.join(summary)} {text}",
            "kind": "frage",
            "event": event.slug if event else "",
            "series": event.series.slug if event and event.series else "",
            "organisation": body.name if body else "",
            "year": str(when.year),
            "date": dt.datetime.combine(when, dt.time()),
            "allow": allow,
        },
        {
            "doc_id": f"{key}/p1",
            "doctype": "page",
            "item_id": key,
            "page": 1,
            "unit": "qa",
            "content": text,
            "filename": "",
            "allow": allow,
        },
    ]


def load_items(session: Session, ids: list[int]) -> dict[int, Item]:
    query = (
        select(Item)
        .where(Item.id.in_(ids))
        .options(
            selectinload(Item.files).selectinload(FileVersion.pages),
            selectinload(Item.event).selectinload(Event.series),
            selectinload(Item.topics),
            selectinload(Item.districts),
            selectinload(Item.persons),
            selectinload(Item.tags),
            selectinload(Item.issuing_body),
            selectinload(Item.superseded_by),
        )
    )
    return {item.id: item for item in session.scalars(query)}


def documents_for(
    session: Session, object_type: str, ids: list[int], today: dt.date
) -> dict[str, list[Document]]:
    """Documents by object key for ``ids`` of one type; a deleted object maps to []."""
    if object_type == "item":
        items = load_items(session, ids)
        return {
            # An item in the trash has no documents: the index drops it like a deleted one.
            object_key("item", i): (
                documents_for_item(items[i], today)
                if i in items and items[i].deleted_at is None
                else []
            )
            for i in ids
        }
    if object_type == "event":
        query = select(Event).where(Event.id.in_(ids))
        events = {e.id: e for e in session.scalars(query)}
        return {
            object_key("event", i): documents_for_event(events[i]) if i in events else []
            for i in ids
        }
    if object_type == "qa":
        qas = {q.id: q for q in session.scalars(select(QAEntry).where(QAEntry.id.in_(ids)))}
        return {object_key("qa", i): documents_for_qa(qas[i]) if i in qas else [] for i in ids}
    return {}


def all_documents(session: Session, today: dt.date) -> Iterator[Document]:
    """Every document of the instance, in batches (a full rebuild)."""
    for object_type, model in (("item", Item), ("event", Event), ("qa", QAEntry)):
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), 100):
            for docs in documents_for(
                session, object_type, ids[start : start + 100], today
            ).values():
                yield from docs
            session.expunge_all()
