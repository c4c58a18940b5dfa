"""Shared pieces of the benchmarks: the test deck, a fresh instance, figures and the machine.

Every benchmark prints the same header (what ran, where, when) and the same kind of figure:
the median and min/max of N runs, beside a reference measured on the same data in the same
run. The ratio of the two is the figure to compare across days and machines; absolute
seconds on a shared 2-core machine drift by tens of percent from one hour to the next.

Instances always live under a fresh temporary ``KB_DATA_DIR``, so a benchmark never touches
the project's default data folders (``instance/``, ``uploads/``, ``index/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask

SLIDES = 30
DEFAULT_RUNS = 5

#: Ordinary German slide text (an IKOE workshop talk); each slide also gets a word of its own.
_BULLETS = (
    "Der Verwendungsnachweis ist bis zum 30. Juni des Folgejahres bei der Investitionsbank "
    "einzureichen.",
    "Förderfähig sind Personal- und Sachausgaben der kommunalen Integrationskoordination.",
    "Die Kooperation mit Arbeitgebern stärkt die Arbeitsmarktintegration Geflüchteter.",
    "Änderungen der Antragsformalitäten gelten ab dem kommenden Förderjahr.",
    "Der Asyl-, Migrations- und Integrationsfonds (AMIF) finanziert Projekte der Förderperiode.",
    "Betriebliche Lotsen begleiten neue Beschäftigte in den ersten Monaten.",
)
_NOTES = (
    "Hier habe ich erläutert, wie das Landesverwaltungsamt die Belege prüft und welche "
    "Fristen für die Mittelabrufe gelten. Rückfragen bitte an die Fachstelle."
)


def slide_word(number: int) -> str:
    """The word that occurs on slide ``number`` only.

    Two letters from the number, then "x": no German stemmer suffix ends in "x", so no two
    words meet after stemming; the "ü" makes the query go through umlaut folding too.
    """
    first, second = divmod(number, 26)
    return f"Prüfmarke{chr(97 + first)}{chr(97 + second)}x"


def build_deck(slides: int = SLIDES) -> bytes:
    """A PPTX with ``slides`` slides: title, four bullets, speaker notes, one unique word each."""
    from pptx import Presentation

    prs = Presentation()
    layout = prs.slide_layouts[1]  # "Title and Content"
    for number in range(1, slides + 1):
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = f"Folie {number}: Förderverfahren im Überblick"
        body = slide.placeholders[1].text_frame
        body.text = _BULLETS[number % len(_BULLETS)]
        for offset in (1, 2):
            body.add_paragraph().text = _BULLETS[(number + offset) % len(_BULLETS)]
        body.add_paragraph().text = f"Stichwort dieser Folie: {slide_word(number)}."
        slide.notes_slide.notes_text_frame.text = _NOTES
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def bare_pptx_text(path: Path) -> list[str]:
    """Slide texts with python-pptx and nothing else: the floor for any PPTX extractor."""
    from pptx import Presentation

    pages = []
    for slide in Presentation(str(path)).slides:
        parts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
        pages.append("\n".join(parts))
    return pages


@contextmanager
def fresh_instance(prefix: str = "kb-bench-") -> Iterator[Flask]:
    """An app with all its data under a new temporary ``KB_DATA_DIR``, set up and closed."""
    from kb.app import create_app
    from kb.services.setup import init_instance

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        app = create_app({"KB_DATA_DIR": tmp, "SECRET_KEY": "bench"})
        init_instance(app.extensions["kb"])
        try:
            yield app
        finally:
            app.extensions["kb"].close()


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` took (wall clock)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def stage_timers(patches: list[tuple[ModuleType, str, str]]) -> Iterator[dict[str, float]]:
    """Add up the seconds spent in ``module.attr`` under ``key``, for each patch given.

    The functions are wrapped for the duration of the block only, and only in this benchmark
    process: a way to split one end-to-end figure into stages without touching the app.
    Callers must patch the name the app looks up at call time (a module attribute).
    """
    spent = {key: 0.0 for _, _, key in patches}
    originals = [(module, attr, getattr(module, attr)) for module, attr, _ in patches]
    for module, attr, key in patches:
        setattr(module, attr, _timing(getattr(module, attr), spent, key))
    try:
        yield spent
    finally:
        for module, attr, fn in originals:
            setattr(module, attr, fn)


def _timing(fn: Callable[..., Any], spent: dict[str, float], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - start

    return wrapper


@dataclass(frozen=True)
class Figure:
    """Median, min and max of some runs, in seconds."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Figure:
        return cls(statistics.median(values), min(values), max(values))

    def ms(self) -> str:
        return f"{self.median * 1000:8.1f} ms  ({self.low * 1000:.1f}–{self.high * 1000:.1f})"


def ratio(values: list[float], refs: list[float]) -> Figure:
    """Per-run ratios value/reference, summarised (pairs from the same run share its noise)."""
    return Figure.of([v / r for v, r in zip(values, refs, strict=True)])


def runs_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help="measured runs (default %(default)s)"
    )
    return parser


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM, OS, Python and load average, as read on this machine now."""
    return {
        "nproc": str(os.cpu_count()),
        "cpu": _cpuinfo_model(),
        "ram": f"{_meminfo_total_gib():.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def print_header(title: str, runs: int, corpus: str) -> None:
    """What ran, on what data, where and when: the lines docs/benchmarks.md records."""
    info = machine()
    print(f"== {title}")
    argv = [_relative(sys.executable), _relative(sys.argv[0]), *sys.argv[1:]]
    print(f"command: {shlex.join(argv)}")
    print(f"date:    {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram']} RAM")
    print(f"         {info['os']}, Python {info['python']}")
    print(f"load:    {info['load']} (1/5/15 min at start; other work on the machine skews figures)")
    print(f"corpus:  {corpus}")
    print(f"runs:    {runs} measured (median, min–max)")
    print()


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print()
