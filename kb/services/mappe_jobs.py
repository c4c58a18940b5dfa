"""A long Mappe is rendered by the worker, with progress for the person waiting.

Why: a Mappe of 50 items takes several seconds to lay out (docs/benchmarks.md), longer
than a request should wait, and slow work belongs in jobs. A Mappe of at most
:data:`INLINE_ITEMS` items, or one already in the handout cache, is answered at once.

The job records whose Mappe it is (the owner key and the viewer's account); only that
browser or account may see its status and fetch the PDF. The items are fixed when the PDF
is asked for, and each is checked again for the viewer when the job runs, so an item
withdrawn in between drops out. Progress is the number of PDF pages laid out so far,
read from WeasyPrint's progress log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kb.errors import NotFound
from kb.models import Item, Job, User, utcnow
from kb.services import handouts
from kb.services.access import ANONYMOUS, Viewer, can_view
from kb.services.accounts import viewer_for
from kb.services.context import Kb

logger = logging.getLogger(__name__)

#: Up to this many items a Mappe PDF is rendered within the request.
INLINE_ITEMS = 10
KIND = "handout"
#: Handout jobs run after text extraction but before page images.
PRIORITY = 15


@dataclass(frozen=True)
class MappeStatus:
    job_id: int
    state: str  # queued, running, done, failed
    items: int
    pages_done: int
    message: str = ""


def request_pdf(
    kb: Kb, owner_key: str | None, viewer: Viewer, lang: str = "de"
) -> tuple[bytes, str] | int:
    """The Mappe as PDF bytes and a name now, or the id of the job that will make it."""
    from kb.services import mappe

    title, intro, ids = mappe.printable_item_ids(kb, owner_key, viewer)
    bundle = handouts.bundle_data(kb, title, intro, ids, viewer, lang)
    cache = handouts.bundle_cache_path(kb, bundle, viewer, lang)
    cached = handouts.cached_pdf(cache)
    if cached is not None:
        return cached, "Mappe.pdf"
    if len(ids) <= INLINE_ITEMS:
        return handouts.render_bundle(kb, bundle, cache, lang), "Mappe.pdf"
    payload = {"owner": owner_key, "user_id": viewer.user_id, "lang": lang,
               "title": title, "introduction": intro, "ids": ids}  # fmt: skip
    with kb.db.writing() as session:
        job = Job(kind=KIND, priority=PRIORITY, payload=json.dumps(payload), total=len(ids))
        session.add(job)
        session.flush()
        job_id = job.id
    kb.job_signal.set()
    logger.info("Mappe with %d items queued as job %d", len(ids), job_id)
    return job_id


def _own_job(session, job_id: int, owner_key: str | None) -> Job:  # type: ignore[no-untyped-def]
    job = session.get(Job, job_id)
    if job is None or job.kind != KIND or owner_key is None:
        raise _not_found()
    if json.loads(job.payload).get("owner") != owner_key:
        raise _not_found()  # another browser's Mappe: as if it did not exist
    return job


def _not_found() -> NotFound:
    return NotFound("Diese Mappe gibt es nicht (mehr).", "There is no such Mappe (any more).")


def status(kb: Kb, job_id: int, owner_key: str | None) -> MappeStatus:
    with kb.db.reading() as session:
        job = _own_job(session, job_id, owner_key)
        return MappeStatus(job.id, job.state, job.total, job.progress, job.error)


def result(kb: Kb, job_id: int, owner_key: str | None) -> bytes:
    """The finished PDF of the job.

    :raises NotFound: not this owner's job, not finished, or the cached file is gone.
    """
    with kb.db.reading() as session:
        job = _own_job(session, job_id, owner_key)
        name = job.result if job.state == "done" else ""
    data = handouts.cached_pdf(_cache_dir(kb) / name) if name else None
    if data is None:
        raise _not_found()
    return data


def _cache_dir(kb: Kb) -> Path:
    return Path(kb.config["KB_INSTANCE_DIR"]) / "handout-cache"


def _viewer(kb: Kb, user_id: int | None) -> Viewer:
    if user_id is None:
        return ANONYMOUS
    with kb.db.reading() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return Viewer(user_id=-1)  # a disabled account prints nothing
        return viewer_for(session, user)


def run_handout_job(kb: Kb, job_id: int) -> None:
    """The worker's part: check each item again, render with progress, store the result."""
    with kb.db.reading() as session:
        payload = json.loads(session.get(Job, job_id).payload)
    viewer = _viewer(kb, payload.get("user_id"))
    with kb.db.reading() as session:
        rows = session.scalars(select(Item).where(Item.id.in_(payload["ids"]))).all()
        visible = {item.id for item in rows if can_view(viewer, item)}
    ids = [i for i in payload["ids"] if i in visible]
    lang = payload.get("lang", "de")
    bundle = handouts.bundle_data(kb, payload["title"], payload["introduction"], ids, viewer, lang)
    cache = handouts.bundle_cache_path(kb, bundle, viewer, lang)

    def progress(pages: int) -> None:
        if pages % 5 == 0:  # a write every few pages is enough for a progress bar
            _set(kb, job_id, progress=pages)

    if handouts.cached_pdf(cache) is None:
        handouts.render_bundle(kb, bundle, cache, lang, progress)
    _set(kb, job_id, state="done", result=cache.name, finished_at=utcnow())
    logger.info("Mappe job %d done: %d items", job_id, len(ids))


def _set(kb: Kb, job_id: int, **values: object) -> None:
    with kb.db.writing() as session:
        job = session.get(Job, job_id)
        for key, value in values.items():
            setattr(job, key, value)
