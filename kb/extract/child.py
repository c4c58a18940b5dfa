"""Child-process entry point: ``python -m kb.extract.child PATH MIME``.

Lowers its own resource limits, runs :func:`kb.extract.extract` and writes one
JSON object to stdout: ``{"ok": true, "pages": [...], "unit": ..., "ocr_pages":
[...], "notices": [[de, en], ...]}`` (see :meth:`kb.extract.result.Extracted.to_json`)
or ``{"ok": false, "error": class name, "de": ..., "en": ...}``. File descriptor 1
is pointed at stderr while parsing, so a library printing to stdout cannot
corrupt the answer. Exits with :data:`~kb.extract.sandbox.EXIT_MEMORY` when
the memory limit is reached; any other failure leaves a traceback on stderr
and a non-zero status. Started by :func:`kb.extract.extract_in_child`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
from pathlib import Path
from typing import BinaryIO

from kb.errors import KbError
from kb.extract.registry import extract
from kb.extract.sandbox import EXIT_MEMORY

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Run one extraction as described in the module docs and return the exit status."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with _claim_stdout() as answer:
        try:
            limit_resources(args.cpu_seconds, args.memory_mb)
            payload = _run(Path(args.path), args.mime, not args.no_ocr, args.time_limit)
            answer.write(json.dumps(payload).encode("ascii"))
        except MemoryError:
            return EXIT_MEMORY
    return 0


def _run(path: Path, mime: str, use_ocr: bool, time_limit: float | None) -> dict[str, object]:
    """Return the JSON answer for one extraction (see the module docs)."""
    try:
        result = extract(path, mime, use_ocr=use_ocr, time_limit=time_limit)
    except KbError as exc:
        error = type(exc).__name__
        return {"ok": False, "error": error, "de": exc.message_de, "en": exc.message_en}
    return result.to_json()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kb.extract.child")
    parser.add_argument("path")
    parser.add_argument("mime")
    parser.add_argument("--cpu-seconds", type=int, default=120)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--time-limit", type=float, default=None)
    return parser.parse_args(argv)


def _claim_stdout() -> BinaryIO:
    """Keep the real stdout for the answer and send everything else to stderr."""
    sys.stdout.flush()
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return answer


def limit_resources(cpu_seconds: int, memory_mb: int) -> None:
    """Lower this process's CPU, address-space and core-dump limits."""
    _lower(resource.RLIMIT_CORE, 0)
    _lower(resource.RLIMIT_CPU, cpu_seconds)
    _lower(resource.RLIMIT_AS, memory_mb * 1024 * 1024)


def _lower(which: int, soft: int) -> None:
    """Set ``which`` to ``soft`` (never raising it above an existing hard limit)."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


if __name__ == "__main__":
    sys.exit(main())
