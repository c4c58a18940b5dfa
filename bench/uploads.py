"""Uploads through ``kb serve`` with 10k pages already indexed, ``kb import`` throughput, memory.

Why: issue 4 promises upload-to-searchable under 2 s for a 30-slide PPTX and under 5 s for a
100-page PDF on a filled instance, and an import that keeps up with a folder of real files.

- A cached instance (``~/.cache/kb-bench/uploads-10k/``) holds the 10,000 page-sized German
  documents of ``bench/search_corpus.py`` as TXT files of 100 pages (form feeds), imported
  once through the service layer.
- ``kb serve`` runs on it as a separate process, with previews on as by default
  (``--no-previews`` sets ``KB_PREVIEWS=0``). Each run uploads a fresh 30-slide PPTX and a
  fresh 100-page PDF (each with a word of its own, so no upload is a duplicate) the way the
  upload page's script does (one multipart POST per file, CSRF token, session cookie) and
  polls ``/upload/status`` every 50 ms until the file is "searchable".
- Reference, same file, same run: extraction in this process (``kb.extract.extract``) plus an
  SQLite FTS5 insert of its pages, commit and query — the least work any system must do.
- ``kb import --json`` over the whole real corpus into a fresh instance (files/s, MB/s);
  reference: the same files through ``kb.extract.extract`` in this process.
- Memory: the peak RSS (``VmHWM``) of the ``kb serve`` process (web and worker thread), of the
  ``kb import`` process, and of the largest of their extraction, preview, LibreOffice and OCR
  children, each kind separately (``procpeak.TreePeaks``), plus the maximum over each whole
  process tree from ``os.wait4``.
- p95 is the inclusive-method quantile (it never lies outside the measured values).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import Figure
from procpeak import TreePeaks, reap_peak_mib

CACHE = Path.home() / ".cache" / "kb-bench"
INSTANCE = CACHE / "uploads-10k"  # for --pages 10000; other counts get their own folder
CORPUS = CACHE / "corpus-v1-10000.jsonl"
KB = Path(sys.executable).parent / "kb"
REAL = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
    )
)
PAGES_PER_FILE = 100
DEFAULT_RUNS = 10


def instance(pages: int) -> Path:
    return INSTANCE if pages == 10_000 else CACHE / f"uploads-{pages}p"


def build_instance(count: int = 10_000) -> Path:
    """Import the first ``count`` pages of the corpus once (10k: about ten minutes)."""
    folder = instance(count)
    if (folder / "ready").exists():
        return folder
        return
    from kb.app import create_app
    from kb.services import jobs
    from kb.services.access import SYSTEM
    from kb.services.items import ItemMeta, UploadFile, upload_files
    from kb.services.setup import init_instance

    with CORPUS.open(encoding="utf-8") as lines:
        pages = [json.loads(line)["text"] for line, _ in zip(lines, range(count), strict=False)]
    app = create_app({"KB_DATA_DIR": str(folder), "SECRET_KEY": "bench", "KB_PREVIEWS": False})
    kb = app.extensions["kb"]
    init_instance(kb)
    for start in range(0, len(pages), PAGES_PER_FILE):
        text = "\f".join(pages[start : start + PAGES_PER_FILE])
        upload = UploadFile(f"korpus-{start:05d}.txt", io.BytesIO(text.encode("utf-8")))
        upload_files(kb, [upload], ItemMeta(title=f"Korpus {start}"), SYSTEM)
    jobs.run_until_idle(kb)
    kb.close()
    (folder / "ready").write_text(f"{len(pages)} pages\n")
    return folder


def build_pptx(run: int) -> tuple[bytes, str]:
    from pptx import Presentation

    word = f"Folienmarke{run}x"
    prs = Presentation()
    for number in range(1, 31):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"Folie {number}: Förderverfahren (Lauf {run})"
        slide.placeholders[1].text = benchlib._BULLETS[number % len(benchlib._BULLETS)]
        if number == 30:
            slide.placeholders[1].text += f" {word}"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue(), word


def build_pdf(run: int) -> tuple[bytes, str]:
    from weasyprint import HTML

    word = f"Seitenmarke{run}x"
    sections = "".join(
        f"<section style='break-before: page'><h2>Seite {n}</h2>"
        f"<p>{' '.join(benchlib._BULLETS)} (Lauf {run}){' ' + word if n == 100 else ''}</p>"
        "</section>"
        for n in range(1, 101)
    )
    return HTML(string=f"<html lang='de'><body>{sections}</body></html>").write_pdf(), word


class Client:
    """Just enough of a browser: session cookie, CSRF token, multipart POST, JSON polls."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""
        page = self.request("GET", "/upload").decode()
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(
            method, path, body=body or None, headers={"Cookie": self.cookie, **(headers or {})}
        )
        response = conn.getresponse()
        data = response.read()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return data

    def upload_and_wait(self, name: str, content: bytes) -> float:
        from werkzeug.datastructures import FileStorage
        from werkzeug.test import encode_multipart

        boundary, body = encode_multipart(
            {
                "csrf_token": self.token,
                "kind": "praesentation",
                "files": FileStorage(io.BytesIO(content), filename=name),
            }
        )
        start = time.perf_counter()
        answer = json.loads(
            self.request(
                "POST",
                "/upload",
                body,
                {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Accept": "application/json",
                },
            )
        )
        file_id = re.search(r'data-file-id="(\d+)"', answer["html"]).group(1)
        while True:
            status = json.loads(self.request("GET", f"/upload/status?ids={file_id}"))
            if status["files"][0]["state"] != "reading":
                if status["files"][0]["state"] != "searchable":
                    raise RuntimeError(status)
                return time.perf_counter() - start
            time.sleep(0.05)


def reference(path: Path, mime: str) -> float:
    """In-process extraction + FTS5 insert, commit and query of the same pages."""
    from kb.extract import extract

    start = time.perf_counter()
    pages = extract(path, mime).pages
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "fts.db")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE VIRTUAL TABLE p USING fts5(text)")
        with db:
            db.executemany("INSERT INTO p(text) VALUES (?)", [(t,) for t in pages])
        db.execute("SELECT rowid FROM p WHERE p MATCH ?", ("Förderverfahren",)).fetchall()
        db.close()
    return time.perf_counter() - start


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 120) -> None:
    """Until ``kb serve`` accepts connections (its start takes seconds on a loaded machine)."""
    import socket

    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_until_idle(folder: Path) -> None:
    """Until the instance's job queue is empty (its previews made), read from its database."""
    db = sqlite3.connect(f"file:{folder / 'kb.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        while db.execute(
            "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
        ).fetchone()[0]:
            time.sleep(0.05)
    finally:
        db.close()


def p95(values: list[float]) -> float:
    """The 95th percentile by linear interpolation between measured values (inclusive)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def times(values: list[float], refs: list[float]) -> str:
    ratios = [v / r for v, r in zip(values, refs, strict=True)]
    return f"{statistics.median(ratios):.1f}x  ({min(ratios):.1f}–{max(ratios):.1f})"


def _env(data_dir: Path | str, previews: bool) -> dict[str, str]:
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "KB_PREVIEWS": "1" if previews else "0"}
    env.pop("KB_DATABASE_URL", None)
    return env


def serve_rounds(
    folder: Path, runs: int, previews: bool
) -> tuple[dict[str, list[float]], TreePeaks, float]:
    port = free_port()
    env = _env(folder, previews)
    server = subprocess.Popen(
        [str(KB), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peaks = TreePeaks(server.pid)
    keys = ("pptx", "pdf", "pptx_ref", "pdf_ref", "pptx_all", "pdf_all")
    results: dict[str, list[float]] = {k: [] for k in keys}
    try:
        wait_for_port(port)
        client = Client(port)
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(runs + 1):  # the first round warms the server up; not counted
                token = f"{os.getpid()}{run}{int(time.time())}"
                for kind, build, mime in (
                    (
                        "pptx",
                        build_pptx,
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    ),
                    ("pdf", build_pdf, "application/pdf"),
                ):
                    content, _word = build(int(token))
                    wait_until_idle(folder)  # measured on an idle worker, not behind a preview
                    start = time.perf_counter()
                    took = client.upload_and_wait(f"lauf-{token}.{kind}", content)
                    wait_until_idle(folder)
                    all_jobs = time.perf_counter() - start
                    path = Path(tmp) / f"f.{kind}"
                    path.write_bytes(content)
                    ref = reference(path, mime)
                    if run:
                        results[kind].append(took)
                        results[f"{kind}_ref"].append(ref)
                        results[f"{kind}_all"].append(all_jobs)
    finally:
        peaks.stop()
        server.terminate()
        tree_mib = reap_peak_mib(server.pid)
        server.returncode = 0  # reaped above
    return results, peaks, tree_mib


def import_round(previews: bool) -> tuple[dict[str, float], TreePeaks, float]:
    from kb.extract import extract, sniff_mime

    files = [p for p in sorted(REAL.iterdir()) if p.is_file() and p.name != "MANIFEST.tsv"]
    size = sum(p.stat().st_size for p in files)
    with tempfile.TemporaryDirectory(prefix="kb-bench-import-") as tmp:
        env = _env(tmp, previews)
        subprocess.run([str(KB), "init"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(KB), "import", "--json", str(REAL)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peaks = TreePeaks(proc.pid)
        while not _exited(proc.pid):
            time.sleep(0.05)
        peaks.stop()
        tree_mib = reap_peak_mib(proc.pid)
        proc.returncode = 0
        took = time.perf_counter() - start
    start = time.perf_counter()
    for path in files:
        try:
            extract(path, sniff_mime(path, path.name))
        except Exception:  # broken, encrypted and image-only files are part of the corpus
            pass
    ref = time.perf_counter() - start
    figures = {"files": len(files), "mb": size / 1e6, "seconds": took, "ref": ref}
    return figures, peaks, tree_mib


def _exited(pid: int) -> bool:
    """True once ``pid`` is a zombie; unlike ``Popen.poll`` this leaves it for ``os.wait4``."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.runs_parser(__doc__.splitlines()[0])
    parser.set_defaults(runs=DEFAULT_RUNS)
    parser.add_argument(
        "--no-previews",
        dest="previews",
        action="store_false",
        help="run kb serve and kb import with KB_PREVIEWS=0 (default: previews on, as shipped)",
    )
    parser.add_argument(
        "--pages",
        type=int,
        default=10_000,
        help="pages already in the instance (default %(default)s; built once, then cached)",
    )
    args = parser.parse_args(argv)
    folder = build_instance(args.pages)
    previews = "previews on (KB_PREVIEWS=1)" if args.previews else "previews off (KB_PREVIEWS=0)"
    benchlib.print_header(
        f"uploads through kb serve, {args.pages:,} pages indexed; kb import",
        args.runs,
        f"{(folder / 'ready').read_text().strip()} in the instance; {REAL}; {previews}",
    )
    r, serve_peaks, serve_tree = serve_rounds(folder, args.runs, args.previews)
    print(f"upload -> searchable through kb serve, {previews}, each upload on an idle worker")
    benchlib.print_rows(
        [
            ("30-slide PPTX", f"{Figure.of(r['pptx']).ms()}  p95 {p95(r['pptx']) * 1000:.0f} ms"),
            ("  reference: in-process extract + FTS5", Figure.of(r["pptx_ref"]).ms()),
            ("  ratio", times(r["pptx"], r["pptx_ref"])),
            ("  until all its jobs are done (previews)", Figure.of(r["pptx_all"]).ms()),
            ("100-page PDF", f"{Figure.of(r['pdf']).ms()}  p95 {p95(r['pdf']) * 1000:.0f} ms"),
            ("  reference: in-process extract + FTS5", Figure.of(r["pdf_ref"]).ms()),
            ("  ratio", times(r["pdf"], r["pdf_ref"])),
            ("  until all its jobs are done (previews)", Figure.of(r["pdf_all"]).ms()),
        ]
    )
    imp, import_peaks, import_tree = import_round(args.previews)
    print(f"kb import over the real corpus (fresh instance, waits until searchable), {previews}")
    benchlib.print_rows(
        [
            ("files, size", f"{imp['files']} files, {imp['mb']:.1f} MB"),
            (
                "kb import",
                f"{imp['seconds']:.1f} s = {imp['files'] / imp['seconds']:.2f} files/s, "
                f"{imp['mb'] / imp['seconds']:.2f} MB/s",
            ),
            ("reference: in-process extraction only", f"{imp['ref']:.1f} s"),
            ("ratio", f"{imp['seconds'] / imp['ref']:.1f}x"),
        ]
    )
    print("peak RSS (VmHWM polled every 20 ms per process; largest of each kind)")
    benchlib.print_rows(
        [
            *serve_peaks.rows("kb serve process (web + worker thread)"),
            ("  whole kb serve tree (os.wait4)", f"{serve_tree:6.0f} MiB"),
            *import_peaks.rows("kb import process"),
            ("  whole kb import tree (os.wait4)", f"{import_tree:6.0f} MiB"),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
