"""Uploads through ``kb serve`` with 10k pages already indexed, ``kb import`` throughput, memory.

Why: issue 4 promises upload-to-searchable under 2 s for a 30-slide PPTX and under 5 s for a
100-page PDF on a filled instance, and an import that keeps up with a folder of real files.

- A cached instance (``~/.cache/kb-bench/uploads-10k/``) holds the 10,000 page-sized German
  documents of ``bench/search_corpus.py`` as TXT files of 100 pages (form feeds), imported
  once through the service layer.
- ``kb serve`` runs on it as a separate process. Each run uploads a fresh 30-slide PPTX and a
  fresh 100-page PDF (each with a word of its own, so no upload is a duplicate) the way the
  upload page's script does (one multipart POST per file, CSRF token, session cookie) and
  polls ``/upload/status`` every 50 ms until the file is "searchable".
- Reference, same file, same run: extraction in this process (``kb.extract.extract``) plus an
  SQLite FTS5 insert of its pages, commit and query — the least work any system must do.
- ``kb import --json`` over the whole real corpus into a fresh instance (files/s, MB/s), with
  the peak RSS of the import process and of its extraction children (``RUSAGE_CHILDREN``);
  reference: the same files through ``kb.extract.extract`` in this process.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import Figure

CACHE = Path.home() / ".cache" / "kb-bench"
INSTANCE = CACHE / "uploads-10k"
CORPUS = CACHE / "corpus-v1-10000.jsonl"
KB = Path(sys.executable).parent / "kb"
REAL = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
    )
)
PAGES_PER_FILE = 100


def build_instance() -> None:
    """Import the 10k-page corpus once (about ten minutes); later runs reuse it."""
    if (INSTANCE / "ready").exists():
        return
    from kb.app import create_app
    from kb.services import jobs
    from kb.services.access import SYSTEM
    from kb.services.items import ItemMeta, UploadFile, upload_files
    from kb.services.setup import init_instance

    pages = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8")]
    app = create_app({"KB_DATA_DIR": str(INSTANCE), "SECRET_KEY": "bench", "KB_PREVIEWS": False})
    kb = app.extensions["kb"]
    init_instance(kb)
    for start in range(0, len(pages), PAGES_PER_FILE):
        text = "\f".join(pages[start : start + PAGES_PER_FILE])
        upload = UploadFile(f"korpus-{start:05d}.txt", io.BytesIO(text.encode("utf-8")))
        upload_files(kb, [upload], ItemMeta(title=f"Korpus {start}"), SYSTEM)
    jobs.run_until_idle(kb)
    kb.close()
    (INSTANCE / "ready").write_text(f"{len(pages)} pages\n")


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


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def times(values: list[float], refs: list[float]) -> str:
    ratios = [v / r for v, r in zip(values, refs, strict=True)]
    return f"{statistics.median(ratios):.1f}x  ({min(ratios):.1f}–{max(ratios):.1f})"


def serve_rounds(runs: int) -> dict[str, list[float]]:
    port = free_port()
    env = {**os.environ, "KB_DATA_DIR": str(INSTANCE), "KB_PREVIEWS": "0"}
    env.pop("KB_DATABASE_URL", None)
    server = subprocess.Popen(
        [str(KB), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, list[float]] = {k: [] for k in ("pptx", "pdf", "pptx_ref", "pdf_ref")}
    try:
        time.sleep(3)
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
                    took = client.upload_and_wait(f"lauf-{token}.{kind}", content)
                    path = Path(tmp) / f"f.{kind}"
                    path.write_bytes(content)
                    ref = reference(path, mime)
                    if run:
                        results[kind].append(took)
                        results[f"{kind}_ref"].append(ref)
    finally:
        server.terminate()
        server.wait(30)
    return results


def import_round() -> dict[str, float]:
    from kb.extract import extract, sniff_mime

    files = [p for p in sorted(REAL.iterdir()) if p.is_file() and p.name != "MANIFEST.tsv"]
    size = sum(p.stat().st_size for p in files)
    with tempfile.TemporaryDirectory(prefix="kb-bench-import-") as tmp:
        env = {**os.environ, "KB_DATA_DIR": tmp, "KB_PREVIEWS": "0"}
        env.pop("KB_DATABASE_URL", None)
        subprocess.run([str(KB), "init"], env=env, check=True, capture_output=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [str(KB), "import", "--json", str(REAL)], env=env, capture_output=True, check=False
        )
        took = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    for path in files:
        try:
            extract(path, sniff_mime(path, path.name))
        except Exception:  # broken, encrypted and image-only files are part of the corpus
            pass
    ref = time.perf_counter() - start
    return {
        "files": len(files),
        "mb": size / 1e6,
        "seconds": took,
        "ref": ref,
        "peak_mib": max(peak_kib, before) / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    args = benchlib.runs_parser(__doc__.splitlines()[0]).parse_args(argv)
    build_instance()
    benchlib.print_header(
        "uploads through kb serve, 10k pages indexed; kb import",
        args.runs,
        f"{(INSTANCE / 'ready').read_text().strip()} in the instance; {REAL}",
    )
    r = serve_rounds(args.runs)
    print("upload -> searchable through kb serve (POST until /upload/status says searchable)")
    benchlib.print_rows(
        [
            ("30-slide PPTX", f"{Figure.of(r['pptx']).ms()}  p95 {p95(r['pptx']) * 1000:.0f} ms"),
            ("  reference: in-process extract + FTS5", Figure.of(r["pptx_ref"]).ms()),
            ("  ratio", times(r["pptx"], r["pptx_ref"])),
            ("100-page PDF", f"{Figure.of(r['pdf']).ms()}  p95 {p95(r['pdf']) * 1000:.0f} ms"),
            ("  reference: in-process extract + FTS5", Figure.of(r["pdf_ref"]).ms()),
            ("  ratio", times(r["pdf"], r["pdf_ref"])),
        ]
    )
    imp = import_round()
    print("kb import over the real corpus (fresh instance, waits until searchable)")
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
            ("peak RSS of a child process (import or extraction)", f"{imp['peak_mib']:.0f} MiB"),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
