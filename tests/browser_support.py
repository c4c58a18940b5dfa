"""Helpers for the browser tests: the real app as a separate process, and Chromium.

The server is started the way an operator starts it (``kb init`` then ``kb serve``),
with all its data under a temporary folder, so the browser talks to waitress, the
in-process worker and the real index, not to Flask's test client.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Screenshots of each step (git-ignored).
ARTIFACTS_DIR = PROJECT_ROOT / "test-artifacts" / "browser"
#: The ``kb`` console script of the interpreter running the tests.
KB_SCRIPT = Path(sys.executable).parent / "kb"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A TCP port that was free a moment ago (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class KbServer:
    """``kb serve`` in a child process with its own data folder.

    Use as a context manager; the process is stopped (terminate, wait, kill) and
    its log file closed on exit, whatever happened.
    """

    def __init__(
        self,
        data_dir: Path,
        startup_timeout: float = 30.0,
        database_url: str | None = None,
        blob_dir: Path | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.blob_dir = blob_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "kb-serve.log"
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Everything under data_dir unless given: nothing from the caller's shell.
        for name in ("KB_DATABASE_URL", "KB_BLOB_DIR"):
            env.pop(name, None)
        if self.database_url:
            env["KB_DATABASE_URL"] = self.database_url
        if self.blob_dir:
            env["KB_BLOB_DIR"] = str(self.blob_dir)
        env.update(
            KB_DATA_DIR=str(self.data_dir),
            KB_BASE_URL=self.base_url,
            PYTHONUNBUFFERED="1",
        )
        return env

    def add_user(self, name: str, role: str, password: str) -> None:
        """Create an account through the real CLI, as an administrator would."""
        added = subprocess.run(
            [str(KB_SCRIPT), "users", "add", name, "--role", role, "--password-stdin"],
            input=password + "\n",
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert added.returncode == 0, added.stderr

    def end_sessions(self, name: str) -> None:
        """End every session of ``name`` on the server, as a password change elsewhere does
        (the session cookie then names an outdated epoch): an expired session, for real."""
        from sqlalchemy import create_engine, text

        url = self.database_url or f"sqlite:///{self.data_dir.resolve() / 'kb.sqlite3'}"
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE users SET session_epoch = session_epoch + 1 WHERE username = :n"),
                    {"n": name},
                )
        finally:
            engine.dispose()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no server log)"

    def __enter__(self) -> KbServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        init = subprocess.run(
            [str(KB_SCRIPT), "init"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert init.returncode == 0, f"`kb init` failed:\n{init.stdout}\n{init.stderr}"
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [str(KB_SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(
                    f"`kb serve` exited with {self._process.returncode} before answering "
                    f"/healthz; log:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
                    last_error = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
                exc.close()
            except (urllib.error.URLError, OSError) as exc:
                last_error = repr(exc)
            time.sleep(0.2)
        raise AssertionError(
            f"`kb serve` did not answer GET /healthz with 200 within {self.startup_timeout:.0f} s "
            f"(last: {last_error}); log:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        elif process is not None:
            process.wait()
        log, self._log = self._log, None
        if log is not None:
            log.close()


# -- fixtures shared by the browser test modules (imported there by name) -------------------

import pytest  # noqa: E402
from playwright.sync_api import Browser, Playwright, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: the sync API's event loop lives only while one module's tests run.
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found; install it with `scripts/system-deps.sh test`")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
