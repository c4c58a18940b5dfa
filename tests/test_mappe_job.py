"""A long Mappe is rendered by the worker: a progress page, then the PDF; only for its owner;
items withdrawn before the job runs drop out; a short Mappe still comes at once."""

from __future__ import annotations

import io

import pypdf
from test_mappe import _add, _pdf, _text

from kb.models import Job
from kb.services import jobs
from kb.services.mappe_jobs import INLINE_ITEMS


def _items(make_item, n: int) -> list[int]:
    return [make_item(f"Text Nummer {k}", title=f"Eintrag {k}") for k in range(n)]


def test_a_long_mappe_is_made_by_the_worker_with_a_progress_page(app, client, kb, make_item):
    ids = _items(make_item, INLINE_ITEMS + 2)
    for item_id in ids:
        _add(client, item_id)
    response = client.get("/mappe.pdf")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    waiting = client.get(status_url).get_data(as_text=True)
    assert "wird gesetzt" in waiting and 'http-equiv="refresh"' in waiting
    assert f"{INLINE_ITEMS + 2} Einträgen" in waiting
    jobs.run_until_idle(kb)
    done = client.get(status_url).get_data(as_text=True)
    assert "PDF herunterladen" in done and 'http-equiv="refresh"' not in done
    text = _text(_pdf(client, status_url + "/Mappe.pdf"))
    assert "Eintrag 0" in text and f"Eintrag {INLINE_ITEMS + 1}" in text
    # Asked again: the same PDF is in the cache, so it comes at once.
    assert client.get("/mappe.pdf").status_code == 200
    # Another browser's Mappe job does not exist for this one.
    other = app.test_client()
    assert other.get(status_url).status_code == 404
    assert other.get(status_url + "/Mappe.pdf").status_code == 404


def test_an_item_withdrawn_before_the_job_runs_drops_out(client, kb, make_item, set_item):
    ids = _items(make_item, INLINE_ITEMS + 1)
    for item_id in ids:
        _add(client, item_id)
    status_url = client.get("/mappe.pdf").headers["Location"]
    set_item(ids[0], state="draft")  # runs the queue too: the job renders right after
    jobs.run_until_idle(kb)
    text = _text(_pdf(client, status_url + "/Mappe.pdf"))
    assert "Eintrag 1" in text and "Eintrag 0" not in text


def test_a_failing_job_says_so(client, kb, make_item, monkeypatch):
    from kb.services import mappe_jobs

    for item_id in _items(make_item, INLINE_ITEMS + 1):
        _add(client, item_id)
    status_url = client.get("/mappe.pdf").headers["Location"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("Schriften fehlen")

    monkeypatch.setattr(mappe_jobs.handouts, "render_bundle", broken)
    jobs.run_until_idle(kb)
    page = client.get(status_url).get_data(as_text=True)
    assert "konnte nicht als PDF erstellt werden" in page and "Schriften" not in page
    assert client.get(status_url + "/Mappe.pdf").status_code == 404
    with kb.db.reading() as session:
        assert session.query(Job).filter_by(kind="handout").one().state == "failed"


def test_progress_counts_laid_out_pages(kb, make_item):
    from kb.services import handouts
    from kb.services.access import ANONYMOUS

    ids = [make_item("\f".join(["Seite " * 200] * 3), title=f"Lang {k}") for k in range(3)]
    bundle = handouts.bundle_data(kb, "Mappe", "", ids, ANONYMOUS)
    seen: list[int] = []
    pdf = handouts.render_bundle(
        kb, bundle, kb.config["KB_INSTANCE_DIR"] / "x.pdf", "de", seen.append
    )
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert seen and seen[-1] == pages and seen == sorted(seen)


def test_a_short_mappe_still_comes_at_once(client, make_item):
    for item_id in _items(make_item, 2):
        _add(client, item_id)
    assert "Eintrag 1" in _text(_pdf(client))
