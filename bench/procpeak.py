"""Peak memory of a process and of each kind of process it starts, measured separately.

Why: ``RUSAGE_CHILDREN`` (and ``os.wait4``'s rusage) give one maximum over a process and
every descendant it waited for, so a figure read after ``kb serve`` ran can be the server's
peak, an extraction child's or LibreOffice's; nobody can tell which. Here a thread polls
``/proc`` every 20 ms, finds the descendants of one process (by parent pid; this kernel has
no ``/proc/<pid>/task/<tid>/children``) and keeps the largest ``VmHWM`` (the kernel's own
high-water mark of a process's resident memory) per kind of process. A process that grows in
its last 20 ms is under-counted by that growth, so a polled figure is a lower bound; the
exact maximum over the whole tree comes from ``os.wait4`` when the process is reaped.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL = 0.02


def kind_of(cmdline: str) -> str:
    """Which part of kb a command line belongs to."""
    for needle, kind in (
        ("kb.extract.child", "extraction child"),
        ("kb.previews.child", "preview child"),
        ("soffice", "LibreOffice"),
        ("oosplash", "LibreOffice"),
        ("tesseract", "OCR (tesseract)"),
        ("ocrmypdf", "OCR (ocrmypdf)"),
    ):
        if needle in cmdline:
            return kind
    return "other"


@dataclass
class TreePeaks:
    """Poll the process ``root`` and its descendants until :meth:`stop`."""

    root: int
    peaks_kib: dict[str, int] = field(default_factory=dict)  # kind -> largest VmHWM
    seen: dict[str, set[int]] = field(default_factory=dict)  # kind -> pids
    largest: dict[str, str] = field(default_factory=dict)  # kind -> command of the peak
    _parents: dict[int, int] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._root_cmdline = _cmdline(self.root)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.poll()
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(INTERVAL):
            self.poll()

    def poll(self) -> None:
        pids = {int(d) for d in os.listdir("/proc") if d.isdigit()}
        for gone in set(self._parents) - pids:
            del self._parents[gone]
        for pid in sorted(pids - set(self._parents)):  # new pids only: reading stat is slow
            self._parents[pid] = _ppid(pid)
        ours = {self.root}
        for pid in sorted(self._parents):  # a child's pid is larger, barring pid wrap-around
            if self._parents[pid] in ours:
                ours.add(pid)
        for pid in ours:
            cmdline = _cmdline(pid)
            if pid != self.root and _short(cmdline) == _short(self._root_cmdline):
                continue  # a fork of kb itself, not yet exec'd: its VmHWM is the parent's
            kind = "root" if pid == self.root else kind_of(cmdline)
            hwm = _vmhwm_kib(pid)
            if hwm:
                if hwm > self.peaks_kib.get(kind, 0):
                    self.peaks_kib[kind], self.largest[kind] = hwm, _short(cmdline)
                self.seen.setdefault(kind, set()).add(pid)

    def rows(self, root_label: str) -> list[tuple[str, str]]:
        """One line per kind of process: the largest peak and how many processes ran."""
        out = []
        for kind in sorted(self.peaks_kib, key=lambda k: (k != "root", k)):
            label = root_label if kind == "root" else f"  {kind}"
            count = len(self.seen[kind])
            peak = f"{self.peaks_kib[kind] / 1024:6.0f} MiB"
            out.append((label, f"{peak}  ({count} process(es); largest: {self.largest[kind]})"))
        return out


def _short(cmdline: str) -> str:
    """The program and its first argument, without directories, at most 50 characters."""
    words = [Path(w).name if "/" in w else w for w in cmdline.split()[:3]]
    return " ".join(words)[:50]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    stat = _read(f"/proc/{pid}/stat")
    try:  # "pid (comm) state ppid ...": the comm may contain spaces and parentheses
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return -1


def _cmdline(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline").replace("\0", " ").strip()


def _vmhwm_kib(pid: int) -> int:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reap_peak_mib(pid: int) -> float:
    """Wait for ``pid`` and return the largest RSS of it and its reaped descendants."""
    _pid, _status, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024
