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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (Linux /proc)."""
    try:
        raw = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in raw.split()]


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body, also for error statuses."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


class Gunicorn:
    """The production web server (docs/deploy): ``kb init``, then gunicorn with the app
    factory, in its own session; stopped (and killed if need be) on exit."""

    def __init__(
        self, app: Flask, log: Path, workers: int = 1, args: tuple[str, ...] = (), **env: str
    ) -> None:
        self.app, self.log, self.workers, self.env, self.args = app, log, workers, env, args
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        init = run_kb(self.app, "init")
        assert init.returncode == 0, init.stderr
        command = [
            str(KB.parent / "gunicorn"), "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", *self.args,
            "kb.app:create_app()",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=kb_env(self.app, **self.env), start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for(self.healthy, 60, f"gunicorn answers /healthz; log:\n{self.log_tail()}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def healthy(self) -> bool:
        try:
            return get(f"{self.base_url}/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def __exit__(self, *exc_info: object) -> None:
        import signal

        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, bytes, str]:
    """A form with one file: (everything before the file's bytes, everything after, type)."""
    import secrets

    boundary = secrets.token_hex(16)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail, f"multipart/form-data; boundary={boundary}"


def upload_form(base_url: str) -> tuple[str, str]:
    """Open the upload form like a browser: (session cookie header, CSRF token)."""
    import re
    import urllib.request
    from http.cookiejar import CookieJar

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/upload", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the upload form"
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def post_upload(base_url: str, name: str, data: bytes, kind: str = "protokoll") -> tuple[int, str]:
    """Upload one file through the form; (status, page)."""
    import urllib.error
    import urllib.request

    cookie, token = upload_form(base_url)
    head, tail, content_type = multipart({"csrf_token": token, "kind": kind}, name, data)
    request = urllib.request.Request(
        f"{base_url}/upload",
        data=head + data + tail,
        headers={"Content-Type": content_type, "Cookie": cookie},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()
