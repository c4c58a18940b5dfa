"""Render page images in a child process (pypdfium2), with LibreOffice for office files."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kb.extract.containers import DOCX, ODP, ODT, PDF, PPTX

logger = logging.getLogger(__name__)

OFFICE = frozenset({PPTX, DOCX, ODP, ODT})
PREVIEW_MIMES = frozenset({PDF, *OFFICE})
#: Page images are made for at most this many pages; the text view covers the rest.
MAX_PAGES = 60
#: Width of a page image in pixels (the viewer scales it down on small screens).
WIDTH = 900
_ROOT = Path(__file__).resolve().parents[2]


class PreviewError(Exception):
    """No preview could be made; the message says why (German)."""


def libreoffice() -> str | None:
    """The LibreOffice program, if installed (an optional component)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_previews(
    source: Path,
    mime: str,
    out_dir: Path,
    *,
    cpu_seconds: int = 120,
    memory_mb: int = 2048,
    timeout: float = 180,
) -> int:
    """Write ``1.png``, ``2.png`` … for the pages of ``source`` into ``out_dir``.

    The folder appears complete or not at all (rendered beside it, then renamed).

    :return: the number of page images.
    :raises PreviewError: the type has no preview, LibreOffice is missing, or rendering failed.
    """
    if mime not in PREVIEW_MIMES:
        raise PreviewError("Für diesen Dateityp gibt es keine Vorschau.")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".preview-") as work:
        pdf = source if mime == PDF else _to_pdf(source, Path(work), timeout)
        pages_dir = Path(work) / "pages"
        pages_dir.mkdir()
        count = _render_in_child(pdf, pages_dir, cpu_seconds, memory_mb, timeout)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(pages_dir, out_dir)
    return count


def _to_pdf(source: Path, work: Path, timeout: float) -> Path:
    """Convert an office file with LibreOffice headless, one private profile per call."""
    program = libreoffice()
    if program is None:
        raise PreviewError("Keine Vorschau: LibreOffice ist auf dem Server nicht installiert.")
    doc = work / "document"
    shutil.copyfile(source, doc)  # blobs have no extension; LibreOffice sniffs the content
    profile = (work / "profile").as_uri()
    command = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work), str(doc)]  # fmt: skip
    try:
        subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PreviewError("Keine Vorschau: die Umwandlung dauerte zu lange.") from exc
    pdf = work / "document.pdf"
    if not pdf.is_file():
        raise PreviewError("Keine Vorschau: LibreOffice konnte die Datei nicht umwandeln.")
    return pdf


def _render_in_child(pdf: Path, out: Path, cpu: int, memory_mb: int, timeout: float) -> int:
    command = [sys.executable, "-m", "kb.previews.child", str(pdf), str(out),
               "--cpu-seconds", str(cpu), "--memory-mb", str(memory_mb)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PreviewError("Keine Vorschau: das Zeichnen der Seiten dauerte zu lange.") from exc
    try:
        answer = json.loads(done.stdout or b"{}")
    except ValueError:
        answer = {}
    if done.returncode != 0 or "pages" not in answer:
        logger.info("Preview child failed (%s): %s", done.returncode, done.stderr[-500:])
        raise PreviewError(
            answer.get("error") or "Keine Vorschau: die Datei ließ sich nicht zeichnen."
        )
    return int(answer["pages"])
