"""Parts of the load benchmark (bench/load.py): instances, servers, simulated users.

Kept apart from the orchestration and the report so each file stays readable; nothing here
prints.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORDS = (
    "Integration Beratung Sprachkurs Landkreis Kommune Netzwerk Ehrenamt Arbeitsmarkt "
    "Förderung Bildung Verwaltung Migration Teilhabe Koordination Projekt Bericht Protokoll "
    "Anerkennung Qualifizierung Wohnraum Schule Kita Gesundheit Jugendamt Jobcenter"
).split()
#: Searches people type: single common words and a few pairs.
QUERIES = WORDS[:18] + ["Sprachkurs Landkreis", "Integration Arbeitsmarkt", "Förderung Projekt"]
#: The request mix (weights).
MIX = {"home": 15, "search": 40, "item": 25, "download": 15, "upload": 5}
KINDS = list(MIX)


# -- instance -------------------------------------------------------------------------


def _env(data_dir: Path, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        KB_DATA_DIR=str(data_dir),
        KB_DATABASE_URL=url,
        KB_PREVIEWS="0",
        KB_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _page_text(seed: int, words: int = 300) -> str:
    return " ".join(WORDS[(seed * 7 + n * 13) % len(WORDS)] for n in range(words))


def populate(data_dir: Path, url: str, items: int, pages: int, demo: bool) -> dict[str, int]:
    """``kb init`` (and ``kb demo``), then ``items`` generated items, then a full reindex."""
    env = _env(data_dir, url)
    subprocess.run([str(BIN / "kb"), "init"], env=env, check=True, capture_output=True)
    if demo:
        subprocess.run([str(BIN / "kb"), "demo"], env=env, check=True, capture_output=True)
    from sqlalchemy import func, select

    from kb.app import create_app
    from kb.models import FileVersion, Item, Page
    from kb.services.indexing import append_index_log, reindex

    app = create_app({"KB_DATA_DIR": str(data_dir), "KB_DATABASE_URL": url, "KB_PREVIEWS": 0})
    kb = app.extensions["kb"]
    try:
        for start in range(0, items, 200):
            with kb.db.writing() as session:
                for n in range(start, min(items, start + 200)):
                    texts = [_page_text(n * pages + p) for p in range(pages)]
                    blob = kb.store.put(io.BytesIO("\f".join(texts).encode()))
                    item = Item(title=f"Bericht {n}", kind="protokoll", access="public")
                    fv = FileVersion(
                        sha256=blob.sha256, size=blob.size, mime="text/plain",
                        filename=f"bericht-{n}.txt", status="done", page_count=pages,
                    )  # fmt: skip
                    fv.pages = [Page(number=p + 1, text=t) for p, t in enumerate(texts)]
                    item.files.append(fv)
                    session.add(item)
                    session.flush()
                    append_index_log(session, item.id)
        reindex(kb)
        with kb.db.reading() as session:
            return {
                "items": session.scalar(select(func.count(Item.id))) or 0,
                "pages": session.scalar(select(func.count(Page.id))) or 0,
            }
    finally:
        kb.close()


def targets(data_dir: Path, url: str) -> list[tuple[int, int]]:
    """(item id, file id) of the public, published items with a current file."""
    from sqlalchemy import select

    from kb.db import make_database
    from kb.models import FileVersion, Item

    db = make_database(url)
    try:
        with db.reading() as session:
            rows = session.execute(
                select(Item.id, FileVersion.id)
                .join(FileVersion, FileVersion.item_id == Item.id)
                .where(Item.access == "public", Item.state == "published")
                .where(FileVersion.is_current.is_(True))
            ).all()
        return [(int(a), int(b)) for a, b in rows]
    finally:
        db.dispose()


# -- servers --------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> tuple[float, float]:
    """(resident, anonymous resident) MiB of ``pid``. The difference is file pages: mostly
    the memory-mapped index segments, shared with every other process reading them."""
    fields: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                fields[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return fields.get("VmRSS", 0.0), fields.get("RssAnon", 0.0)


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) used so far, per kind of process on the machine: this
    benchmark (the simulated users), gunicorn, ``kb worker``, ``kb serve``, PostgreSQL."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        out[_cpu_kind(int(entry.name), cmdline, stat)] += used
    return out


def _cpu_kind(pid: int, cmdline: str, stat: str) -> str:
    if pid == os.getpid():
        return "load generator"
    if "gunicorn" in cmdline:
        return "gunicorn"
    if "kb worker" in cmdline:
        return "kb worker"
    if "kb serve" in cmdline:
        return "kb serve"
    if "(postgres)" in stat or cmdline.startswith("postgres"):
        return "PostgreSQL"
    return "other"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Server:
    name: str
    commands: list[list[str]]
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=_free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            for command in self.commands:
                argv = [part.replace("{port}", str(self.port)) for part in command]
                self.processes.append(
                    subprocess.Popen(
                        argv,
                        env=self.env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )  # fmt: skip
                )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start; see {self.log}")

    def memory(self) -> dict[str, tuple[float, float]]:
        """(resident, anonymous) MiB of each process, gunicorn's workers included."""
        out: dict[str, tuple[float, float]] = {}
        for process, command in zip(self.processes, self.commands, strict=True):
            program = command[3:] if command[0] == "nice" else command  # nice -n N kb worker
            label = Path(program[0]).name + (f" {program[1]}" if program[0].endswith("kb") else "")
            out[label] = _rss_mib(process.pid)
            for n, child in enumerate(_children(process.pid), start=1):
                if "gunicorn" in label:
                    out[f"{label} worker {n}"] = _rss_mib(child)
        return out

    def stop(self) -> None:
        import signal

        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


#: The worker's niceness in docs/deploy/kb-worker.service (``Nice=``), set the same way here.
WORKER_NICE = 10


def production(data_dir: Path, url: str, log: Path) -> Server:
    return Server(
        "gunicorn 2 workers + kb worker",
        [
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:kb.gunicorn_conf",
                "--workers",
                "2",
                "--bind",
                "127.0.0.1:{port}",
                "--timeout",
                "120",
                "kb.app:create_app()",
            ],
            ["nice", "-n", str(WORKER_NICE), str(BIN / "kb"), "worker"],
        ],  # fmt: skip
        _env(data_dir, url),
        log,
    )


def reference(data_dir: Path, url: str, log: Path) -> Server:
    return Server(
        "kb serve (waitress, 1 process)",
        [[str(BIN / "kb"), "serve", "--port", "{port}"]],
        _env(data_dir, url),
        log,
    )


# -- users ----------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: The unique word of every upload the server acknowledged (201): each must be found later.
    uploaded: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        with exc:
            exc.read()
            return exc.code


def _upload_form(base_url: str) -> tuple[str, str]:
    from http.cookiejar import CookieJar

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/upload", timeout=60) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())
    if token is None:
        raise SystemExit("no CSRF token on the upload form")
    return "; ".join(f"{c.name}={c.value}" for c in jar), token.group(1)


def _upload_body(token: str) -> tuple[bytes, str, str]:
    boundary = secrets.token_hex(12)
    word = f"Lastprobe{secrets.token_hex(6)}"
    text = (f"Protokoll der Sitzung, Stichwort {word}.\n" + _page_text(7, 400)).encode()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nprotokoll\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{word}.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        + text
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}", word


def _user(base_url: str, docs: list[tuple[int, int]], args: argparse.Namespace,
          stop_at: float, tally: Tally, seed: int) -> None:  # fmt: skip
    rng = random.Random(seed)
    cookie, token = _upload_form(base_url)
    while True:
        time.sleep(rng.uniform(*args.think))
        if time.monotonic() >= stop_at:
            return
        kind = rng.choices(KINDS, weights=[MIX[k] for k in KINDS])[0]
        item_id, file_id = rng.choice(docs)
        expected, data, headers, word = 200, None, {}, ""
        if kind == "home":
            url = f"{base_url}/"
        elif kind == "search":
            url = f"{base_url}/search?" + urllib.parse.urlencode({"q": rng.choice(QUERIES)})
        elif kind == "item":
            url = f"{base_url}/items/{item_id}"
        elif kind == "download":
            url = f"{base_url}/items/{item_id}/files/{file_id}"
        else:
            url, expected = f"{base_url}/upload", 201
            data, content_type, word = _upload_body(token)
            headers = {"Content-Type": content_type, "Cookie": cookie}
        start = time.perf_counter()
        try:
            status = _request(url, data, headers)
        except OSError:
            status = 0
        tally.add(kind, time.perf_counter() - start, status == expected)
        if word and status == expected:
            with tally.lock:
                tally.uploaded.append(word)


def run_load(server: Server, docs: list[tuple[int, int]], args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    tally = Tally()
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=_user, args=(server.base_url, docs, args, stop_at, tally, n))
        for n in range(args.users)
    ]
    started, cpu_before = time.perf_counter(), cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds()
    cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    total = sum(len(v) for v in tally.latencies.values())
    return {
        "rps": total / elapsed,
        "requests": total,
        "errors": sum(tally.errors.values()),
        "kinds": {k: _percentiles(v) for k, v in tally.latencies.items()},
        "memory": server.memory(),
        #: share of one core per kind of process over the run (1.0 = a whole core)
        "cpu": {k: v / elapsed for k, v in cpu.items() if v > 0},
        "uploaded": tally.uploaded,
    }


def verify_uploads(data_dir: Path, url: str, words: list[str]) -> dict[str, object]:
    """After the servers stopped: is every acknowledged upload stored and searchable?

    The queue is run dry first (what a restarted worker would do), then each upload's unique
    word is searched as an anonymous visitor, and ``kb check`` runs over the whole instance.
    """
    from kb.app import create_app
    from kb.services import jobs
    from kb.services.access import ANONYMOUS
    from kb.services.check import run_check
    from kb.services.search import run_search

    app = create_app({"KB_DATA_DIR": str(data_dir), "KB_DATABASE_URL": url, "KB_PREVIEWS": 0})
    kb = app.extensions["kb"]
    try:
        jobs.run_until_idle(kb)
        found = sum(1 for word in words if run_search(kb, word, ANONYMOUS).total >= 1)
        report = run_check(kb)
        return {"acknowledged": len(words), "found": found, "check": report.ok,
                "problems": report.problems}  # fmt: skip
    finally:
        kb.close()


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"n": len(ordered), "p50": statistics.median(ordered) * 1000,
            "p95": pick(0.95), "p99": pick(0.99)}  # fmt: skip


def median_of(runs: list[dict], *path: str) -> float:  # type: ignore[type-arg]
    """The median over ``runs`` of the number at ``path`` (nan if no run has one)."""
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        if isinstance(value, int | float):
            values.append(float(value))
    return statistics.median(values) if values else float("nan")
