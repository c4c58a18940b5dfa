#!/usr/bin/env bash
# Time of `make run` from a fresh clone to the first page served.
#
# Why: "two commands on a fresh machine" is the project's promise to a new developer or a
# district's admin; this measures the first of them end to end. Per run:
#   cold  `git clone` of this repository into a temp dir, then `make run PORT=<free>` in the
#         background, polling `curl -fsS http://127.0.0.1:<port>/` every 0.1 s until it
#         answers 200 (venv, pip install, kb init, kb demo, kb serve).
#   warm  a second `make run` in the same clone (everything installed, demo loaded).
#   ref   `python3 -m venv` + `pip install flask` in a temp dir, in the same run: the floor
#         for "make a venv and install a web framework" on this machine and network now.
# make's output is time-stamped line by line, and the commands make echoes (venv, pip
# install, kb init, kb demo, kb serve) split the time into steps.
# The server is stopped by killing the process group of the `make run` it started.
#
# The clone holds committed files only: uncommitted work in the source tree is not measured
# (the header says how many changed paths were left out).
#
# pip: the user's normal pip configuration and cache are used (what a second clone on the
# same machine sees). The header prints where the cache is and how big it was at the start.
#
# Usage: bash bench/make_run_startup.sh [--runs N]   (default 3; one run takes minutes)
set -euo pipefail

RUNS=3
TIMEOUT_SECONDS=${KB_BENCH_TIMEOUT:-900}
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#--runs=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a positive number" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kb-bench-make-run.XXXXXX")
mkdir -p "$WORK/logs"
SERVER_PID=""
RESULT=""

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prefix every line of stdin with the wall-clock time (bash's $EPOCHREALTIME: no fork per line).
stamp_lines() {
  local line
  while IFS= read -r line; do
    printf '%s %s\n' "$EPOCHREALTIME" "$line"
  done
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 -- "-$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start `make run` in $1 in its own process group, its output time-stamped into $2; write
# the start and the moment the home page first answered 200 into the log's first and last
# lines; set RESULT to the seconds in between, then stop the server.
time_make_run() {
  local dir=$1 log=$2 port start
  port=$(free_port)
  start=$(now)
  echo "$start START make run PORT=$port" >"$log"
  set -m  # job control: the background job gets its own process group, id = its pid
  (cd "$dir" && env -u KB_DATA_DIR -u KB_DATABASE_URL make run PORT="$port" 2>&1 | stamp_lines) \
    >>"$log" </dev/null &
  SERVER_PID=$!
  set +m
  until curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "make run in $dir ended before serving a page; last lines of its log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    if awk -v s="$(since "$start")" -v t="$TIMEOUT_SECONDS" 'BEGIN { exit !(s > t) }'; then
      echo "no page after ${TIMEOUT_SECONDS}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  RESULT=$(since "$start")
  echo "$(now) SERVED" >>"$log"
  stop_server
}

reference() {
  local dir=$1 start
  start=$(now)
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet flask >"$dir.log" 2>&1
  RESULT=$(since "$start")
}

one_run() {
  local n=$1 clone="$WORK/run$1/kb" start clone_s cold warm ref
  mkdir -p "$WORK/run$n"
  start=$(now)
  git clone --quiet "$REPO" "$clone"
  clone_s=$(since "$start")
  time_make_run "$clone" "$WORK/logs/cold$n.log"
  cold=$RESULT
  time_make_run "$clone" "$WORK/logs/warm$n.log"
  warm=$RESULT
  reference "$WORK/run$n/ref-venv"
  ref=$RESULT
  echo "$n $clone_s $cold $warm $ref" >>"$WORK/results"
  printf '  run %d: clone %ss, cold %ss, warm %ss, reference %ss\n' \
    "$n" "$clone_s" "$cold" "$warm" "$ref"
  rm -rf "$WORK/run$n"
}

header() {
  local commit dirty cache cache_size
  commit=$(git -C "$REPO" rev-parse --short HEAD)
  dirty=$(git -C "$REPO" status --porcelain | wc -l)
  cache=$(python3 -m pip cache dir 2>/dev/null || echo "?")
  cache_size=$(du -sh "$cache" 2>/dev/null | cut -f1 || true)
  echo "== make run: fresh clone to first page"
  echo "command: bash bench/make_run_startup.sh --runs $RUNS"
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
    "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "         $(uname -sr), $(python3 -V 2>&1), $(git --version)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min at start; other work on the machine skews figures)"
  echo "corpus:  clone of $REPO at $commit ($dirty uncommitted paths not included); demo content"
  echo "pip:     cache ${cache} (${cache_size:-absent} at start); config:" \
    "$(python3 -m pip config list 2>/dev/null | tr '\n' ' ')"
  echo "runs:    $RUNS measured (median, min–max); reference = python3 -m venv + pip install flask"
  echo
}

summary() {
  python3 - "$WORK/results" "$WORK/logs" <<'PY'
import re
import statistics
import sys
from pathlib import Path

# The commands make echoes, in the order of the Makefile; a step lasts until the next one.
STEPS = [
    ("venv", r"-m venv"),
    ("pip upgrade pip", r"pip install .*--upgrade pip"),
    ("pip install -e .[test]", r"pip install .*-e "),
    ("kb init", r"bin/kb init"),
    ("kb demo", r"bin/kb demo"),
    ("kb serve -> first page", r"bin/kb serve"),
]


def steps(log: Path) -> dict[str, float]:
    """Seconds per step of one make run, from its time-stamped log."""
    stamped = [line.split(" ", 1) for line in log.read_text().splitlines()]
    start, end = float(stamped[0][0]), float(stamped[-1][0])
    marks = [("system-deps, python check", start)]
    for name, pattern in STEPS:
        hit = next((float(t) for t, text in stamped if re.search(pattern, text)), None)
        if hit is not None:
            marks.append((name, hit))
    marks.append(("", end))
    return {name: b - a for (name, a), (_, b) in zip(marks, marks[1:])}


def fig(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} s  ({min(values):.1f}–{max(values):.1f})"


def ratio(values: list[float], refs: list[float]) -> str:
    r = [v / f for v, f in zip(values, refs)]
    return f"{statistics.median(r):7.1f} x  ({min(r):.1f}–{max(r):.1f})"


def breakdown(kind: str, runs: list[int], logs: Path) -> list[tuple[str, str]]:
    per_run = [steps(logs / f"{kind}{n}.log") for n in runs]
    names = [name for name in per_run[0] if all(name in r for r in per_run)]
    return [(f"  {name}", fig([r[name] for r in per_run])) for name in names]


rows = [line.split() for line in open(sys.argv[1])]
runs = [int(r[0]) for r in rows]
clone, cold, warm, ref = ([float(r[i]) for r in rows] for i in range(1, 5))
logs = Path(sys.argv[2])
lines = [
    ("git clone (not in the figures below)", fig(clone)),
    ("cold: make run in a fresh clone -> 200", fig(cold)),
    *breakdown("cold", runs, logs),
    ("warm: second make run -> 200", fig(warm)),
    *breakdown("warm", runs, logs),
    ("reference: venv + pip install flask", fig(ref)),
    ("ratio cold / reference", ratio(cold, ref)),
    ("ratio warm / reference", ratio(warm, ref)),
]
width = max(len(label) for label, _ in lines)
print()
for label, value in lines:
    print(f"  {label:<{width}}  {value}")
PY
}

header
for n in $(seq 1 "$RUNS"); do
  one_run "$n"
done
summary
