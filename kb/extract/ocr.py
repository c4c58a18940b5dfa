"""Text recognition (OCR) with Tesseract, for images and image-only PDF pages.

OCR is an optional component: without the ``tesseract`` program (Debian
``tesseract-ocr`` with ``tesseract-ocr-deu``/``-eng``) a scan is stored and its
status says that no text could be read and why. The binary is called
directly rather than through a wrapper library: the wrappers only build this
command line and write temporary files. It runs inside the extraction child,
so it inherits the child's memory and CPU limits; it gets one thread
(``OMP_THREAD_LIMIT=1``) because workers share few cores, and the image on
stdin, so no temporary file is left behind when the child is killed.

Extractors ask :func:`engine` whether OCR can run and call :func:`recognize`
per image. The settings of the current extraction (OCR on or off, the time
budget) travel in a context variable set by :func:`kb.extract.extract`, so
the extractor signature stays ``(path) -> Extracted``.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger(__name__)

#: Program name looked up on PATH.
TESSERACT = "tesseract"
#: Recognition languages, in order of preference; those installed are used together.
LANGUAGES = ("deu", "eng")
#: Resolution PDF pages are rendered at for OCR (Tesseract is trained on ~300 dpi).
DPI = 300
#: Share of the per-file time limit that OCR may spend, so a long scan ends with the
#: pages read so far and a notice instead of being killed with nothing.
OCR_SHARE = 0.8
#: Longest one Tesseract run may take when the extraction has no time limit.
_PAGE_SECONDS = 120.0


class OutOfTime(Exception):
    """The extraction's OCR time budget is spent."""


@dataclass(frozen=True)
class _Settings:
    enabled: bool = True
    deadline: float | None = None
    time_limit: float | None = None


# The default is a frozen dataclass, so sharing it is safe.
_current: ContextVar[_Settings] = ContextVar("kb_extract_ocr", default=_Settings())  # noqa: B039


@contextmanager
def settings(*, enabled: bool, time_limit: float | None) -> Iterator[None]:
    """Set whether OCR runs, and the file's time limit it must stay within, for one extraction."""
    deadline = time.monotonic() + time_limit * OCR_SHARE if time_limit is not None else None
    token = _current.set(_Settings(enabled, deadline, time_limit))
    try:
        yield
    finally:
        _current.reset(token)


def time_limit() -> float:
    """The current extraction's time limit in seconds, for messages (0 if none)."""
    return _current.get().time_limit or 0


def available() -> bool:
    """True if Tesseract with German or English data is installed (OCR on or off)."""
    command = shutil.which(TESSERACT)
    return command is not None and _languages(command) is not None


def engine() -> tuple[str, str] | None:
    """Return (tesseract path, language spec) if OCR may and can run now, else None."""
    if not _current.get().enabled:
        return None
    command = shutil.which(TESSERACT)
    if command is None:
        return None
    languages = _languages(command)
    return (command, languages) if languages else None


@functools.cache
def _languages(command: str) -> str | None:
    """Return e.g. "deu+eng" from the languages Tesseract has data for, or None."""
    try:
        proc = subprocess.run(
            [command, "--list-langs"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("Tesseract does not answer: %s", exc)
        return None
    installed = set(proc.stdout.decode("utf-8", "replace").split())
    chosen = [lang for lang in LANGUAGES if lang in installed]
    if not chosen:
        logger.warning("Tesseract has none of the languages %s", ", ".join(LANGUAGES))
    return "+".join(chosen) or None


def recognize(image: Image) -> str:
    """Return the raw text Tesseract reads in ``image`` ("" if it fails).

    :raises OutOfTime: the budget was spent before or during the run.
    :raises RuntimeError: OCR is not available (check :func:`engine` first).
    """
    found = engine()
    if found is None:
        raise RuntimeError("OCR is not available")
    command, languages = found
    timeout = _remaining()
    png = io.BytesIO()
    image.convert("L").save(png, format="PNG")
    env = {"PATH": os.environ.get("PATH", ""), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}
    if "TESSDATA_PREFIX" in os.environ:  # language data installed outside Debian's place
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        proc = subprocess.run(
            [command, "stdin", "stdout", "-l", languages, "--psm", "3"],
            input=png.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OutOfTime from None
    if proc.returncode != 0:
        logger.warning("Tesseract failed (%d): %s", proc.returncode, proc.stderr[-500:])
        return ""
    return proc.stdout.decode("utf-8", "replace")


def _remaining() -> float:
    deadline = _current.get().deadline
    if deadline is None:
        return _PAGE_SECONDS
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutOfTime
    return min(left, _PAGE_SECONDS)
