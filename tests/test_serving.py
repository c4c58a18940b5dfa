"""The production processes as docs/deploy/ starts them: gunicorn workers and ``kb worker``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import KB_SCRIPT, free_port
from databases import TemplateDatabase

from kb.services import jobs

GUNICORN = Path(sys.executable).parent / "gunicorn"


def _env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_DATA_DIR=str(data_dir), KB_DATABASE_URL=url, PYTHONUNBUFFERED="1")
    return env


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(timeout=30)


def test_a_stopping_worker_claims_no_further_job(kb, make_item):
    make_item("eins", title="a", wait=False)
    stop = threading.Event()
    stop.set()
    assert jobs.run_until_idle(kb, stop=stop) == 0
    assert jobs.pending_jobs(kb) == 1


def test_kb_worker_exits_cleanly_on_sigterm(tmp_path: Path, template_db: TemplateDatabase):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = template_db.new(data_dir)
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [str(KB_SCRIPT), "worker"], env=_env(data_dir, url), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        # The index is created by the worker's loop, after its SIGTERM handler is in place.
        for _ in range(600):
            if (data_dir / "index" / "CURRENT").exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=60)
    finally:
        _stop(process)
        log.close()
        template_db.release(url)
    # Without the handler, Python dies of the signal (-15) in the middle of whatever it does.
    assert returncode == 0, (tmp_path / "worker.log").read_text()


@pytest.mark.skipif(
    not GUNICORN.exists(), reason="gunicorn is not installed (pip install kb[prod])"
)
def test_gunicorn_serves_the_app_factory_with_several_workers(
    tmp_path: Path, template_db: TemplateDatabase
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = template_db.new(data_dir)
    env = _env(data_dir, url)
    subprocess.run([str(KB_SCRIPT), "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("wb")
    command = [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "kb.app:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        status = None
        for _ in range(300):
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    status = r.status
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        assert status == 200, log_path.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=Antrag", timeout=30) as r:
            assert r.status == 200 and "Suche" in r.read().decode()
    finally:
        assert _stop(process) == 0, log_path.read_text()
        log.close()
        template_db.release(url)
