"""Helpers for the crash and fault tests: real ``kb`` processes on a test instance, and
bulk content that makes a rebuild last long enough to be interrupted."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from kb.models import FileVersion, Item
from kb.services.context import Kb
from kb.services.indexing import append_index_log

#: The ``kb`` console script of the interpreter running the tests.
KB = Path(sys.executable).parent / "kb"

#: Common German words of the archive's texts, so pages look like real ones to the analyser.
WORDS = (
    "Integration Beratung Sprachkurs Landkreis Kommune Netzwerk Ehrenamt Arbeitsmarkt "
    "Förderung Bildung Verwaltung Migration Teilhabe Koordination Projekt Bericht Protokoll "
    "Anerkennung Qualifizierung Wohnraum Schule Kita Gesundheit Jugendamt Jobcenter"
).split()


def kb_env(app: Flask, **extra: str) -> dict[str, str]:
    """The environment for a ``kb`` process on the test app's instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        KB_DATA_DIR=str(app.config["KB_DATA_DIR"]),
        KB_DATABASE_URL=str(app.config["KB_DATABASE_URL"]),
        KB_BLOB_DIR=str(app.config["KB_UPLOAD_DIR"]),
        KB_PREVIEWS="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_kb(app: Flask, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KB), *args], env=kb_env(app), capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def spawn_kb(
    app: Flask, *args: str, log: Path | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """A ``kb`` process in its own session, so ``os.killpg`` reaches its children too."""
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [str(KB), *args], env=kb_env(app, **env), start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    finally:
        if log:
            out.close()  # type: ignore[union-attr]


def wait_for(condition: Callable[[], bool], seconds: float, what: str, step: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def page_text(seed: int, words: int = 300) -> str:
    return " ".join(WORDS[(seed * 7 + n * 13) % len(WORDS)] for n in range(words))


def bulk_items(kb: Kb, count: int, pages: int, prefix: str = "Bericht") -> list[int]:
    """``count`` published items with one extracted text file of ``pages`` pages each,
    written straight to the database and the blob store (no extraction jobs), with
    index-log entries as an upload would leave them."""
    from kb.models import Page

    ids: list[int] = []
    with kb.db.writing() as session:
        for n in range(count):
            texts = [page_text(n * pages + p) for p in range(pages)]
            data = "\f".join(texts).encode()
            blob = kb.store.put(io.BytesIO(data))
            assert blob.sha256 == hashlib.sha256(data).hexdigest()
            item = Item(title=f"{prefix} {n}", kind="protokoll", access="public", state="published")
            fv = FileVersion(
                sha256=blob.sha256, size=blob.size, mime="text/plain",
                filename=f"{prefix.lower()}-{n}.txt", status="done", page_count=pages,
            )  # fmt: skip
            fv.pages = [Page(number=p + 1, text=t) for p, t in enumerate(texts)]
            item.files.append(fv)
            session.add(item)
            session.flush()
            append_index_log(session, item.id)
            ids.append(item.id)
    return ids
