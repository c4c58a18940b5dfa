"""Running an extraction in a child process with CPU-time and memory limits.

Parsers of PDF and Office files are large C and Python code bases fed with
untrusted uploads. A crafted file can make one loop, allocate without bound
(zip bombs) or crash outright, so the worker never parses in its own process:
:func:`extract_in_child` starts ``python -m kb.extract.child``, which lowers its
own ``RLIMIT_CPU`` and ``RLIMIT_AS`` before reading the file and answers with
one JSON object on stdout. The limits are set by the child itself rather than
in a ``preexec_fn``: the worker runs as a thread inside ``kb serve``, and
``preexec_fn`` is not safe in a process with threads (the child may deadlock
between fork and exec).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from kb.errors import CorruptFile, EncryptedFile, ExtractionError, NoTextFound, UnsupportedType
from kb.extract import messages
from kb.extract.result import Extracted

logger = logging.getLogger(__name__)

#: Exit status of a child that ran out of memory (Python's MemoryError).
EXIT_MEMORY = 3
_ERRORS: dict[str, type[ExtractionError] | type[UnsupportedType]] = {
    cls.__name__: cls
    for cls in (UnsupportedType, EncryptedFile, CorruptFile, NoTextFound, ExtractionError)
}
_MEMORY_HINTS = ("MemoryError", "bad_alloc", "Out of memory", "out of memory", "Cannot allocate")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def extract_in_child(
    path: Path,
    mime: str,
    *,
    cpu_seconds: int = 120,
    memory_mb: int = 2048,
    timeout: float = 180,
    use_ocr: bool = True,
) -> Extracted:
    """Run :func:`kb.extract.extract` on ``path`` in a resource-limited child process.

    :param path: the stored file.
    :param mime: its sniffed MIME type.
    :param cpu_seconds: CPU time the child may use (``RLIMIT_CPU``).
    :param memory_mb: address space the child may use (``RLIMIT_AS``).
    :param timeout: wall-clock seconds before the child is killed; OCR stops with
        a notice a little earlier (:data:`kb.extract.ocr.OCR_SHARE`).
    :param use_ocr: run OCR on images and scanned pages when Tesseract is installed.
    :return: the pages of text, with notices and the pages read by OCR.
    :raises kb.errors.KbError: the same error :func:`~kb.extract.extract` would
        raise, or :class:`~kb.errors.ExtractionError` naming the cause if the
        child was killed, crashed or ran out of time or memory.
    """
    command = [sys.executable, "-m", "kb.extract.child", str(path), mime]
    command += ["--cpu-seconds", str(cpu_seconds), "--memory-mb", str(memory_mb)]
    command += ["--time-limit", str(timeout)] + ([] if use_ocr else ["--no-ocr"])
    try:
        proc = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=_child_env(),
            check=False,
            # Its own session: a Ctrl+C or SIGTERM meant for the worker must not kill the
            # child, which would count as a crash and mark the file unreadable for good.
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        logger.warning("Extraction of %s killed after %.0fs wall time", path.name, timeout)
        raise messages.aborted_time(timeout) from None
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        cause = _abort_cause(proc.returncode, stderr)
        logger.warning(
            "Extraction of %s aborted (%s, exit %d): %s",
            path.name,
            cause,
            proc.returncode,
            stderr[-2000:],
        )
        if cause == "time":
            raise messages.aborted_time(cpu_seconds, cpu=True)
        raise messages.aborted_memory(memory_mb) if cause == "memory" else messages.aborted_crash()
    if stderr:
        # The child logs only warnings and errors, e.g. the parser exception
        # behind a CorruptFile or pages skipped over the limit.
        logger.warning("Extraction of %s: %s", path.name, stderr[-2000:].rstrip())
    return _result(proc.stdout, path)


def _child_env() -> dict[str, str]:
    """Return the child's environment, with this package importable even if not installed."""
    env = dict(os.environ)
    paths = [str(_PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _abort_cause(returncode: int, stderr: str) -> str:
    if returncode == -signal.SIGXCPU:
        return "time"
    if returncode == EXIT_MEMORY or any(hint in stderr for hint in _MEMORY_HINTS):
        return "memory"
    return "crash"


def _result(stdout: bytes, path: Path) -> Extracted:
    """Turn the child's JSON answer into an :class:`Extracted` or raise its error."""
    try:
        payload: Any = json.loads(stdout)
    except ValueError:
        logger.warning("Extraction of %s returned no valid JSON: %r", path.name, stdout[:200])
        raise messages.aborted_crash() from None
    if not isinstance(payload, dict):
        raise messages.aborted_crash()
    if payload.get("ok") is True:
        result = Extracted.from_json(payload)
        if result is not None:
            return result
    elif isinstance(payload.get("de"), str) and isinstance(payload.get("en"), str):
        error = _ERRORS.get(str(payload.get("error")), ExtractionError)
        raise error(payload["de"], payload["en"])
    logger.warning("Extraction of %s returned a malformed answer", path.name)
    raise messages.aborted_crash()
