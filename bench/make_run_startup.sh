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
SERVER_PID=""
RESULT=""

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mtime_since() { awk -v a="$1" -v b="$(stat -c %.9Y "$2")" 'BEGIN { printf "%.2f", b - a }'; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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

# Start `make run` in $1 (log to $2) in its own process group; set RESULT to the seconds
# until the home page answers 200, then stop the server again.
time_make_run() {
  local dir=$1 log=$2 port start
  port=$(free_port)
  start=$(now)
  set -m  # job control: the background job gets its own process group, id = its pid
  (cd "$dir" && exec env -u KB_DATA_DIR -u KB_DATABASE_URL make run PORT="$port") \
    >"$log" 2>&1 </dev/null &
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
  local n=$1 clone="$WORK/run$1/kb" start cold venv installed warm ref clone_s
  mkdir -p "$WORK/run$n"
  start=$(now)
  git clone --quiet "$REPO" "$clone"
  clone_s=$(since "$start")
  time_make_run "$clone" "$WORK/run$n/cold.log"
  cold=$RESULT
  # stamps are written during the cold run; the start is taken again from the log's birth
  venv=$(mtime_since "$(stat -c %.9Y "$WORK/run$n/cold.log")" "$clone/.venv/pyvenv.cfg")
  installed=$(mtime_since "$(stat -c %.9Y "$WORK/run$n/cold.log")" "$clone/.venv/.installed-stamp")
  time_make_run "$clone" "$WORK/run$n/warm.log"
  warm=$RESULT
  reference "$WORK/run$n/ref-venv"
  ref=$RESULT
  echo "$n $clone_s $cold $venv $installed $warm $ref" >>"$WORK/results"
  printf '  run %d: clone %ss, cold %ss (venv at %ss, installed at %ss), warm %ss, ref %ss\n' \
    "$n" "$clone_s" "$cold" "$venv" "$installed" "$warm" "$ref"
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
  echo "corpus:  clone of $REPO at $commit ($dirty uncommitted paths not included); demo content"
  echo "pip:     cache ${cache} (${cache_size:-absent} at start); $(python3 -m pip config list 2>/dev/null | tr '\n' ' ')"
  echo "runs:    $RUNS measured (median, min–max); reference = python3 -m venv + pip install flask"
  echo
}

summary() {
  python3 - "$WORK/results" <<'PY'
import statistics
import sys

rows = [list(map(float, line.split()[1:])) for line in open(sys.argv[1])]
clone, cold, venv, installed, warm, ref = (list(col) for col in zip(*rows))


def fig(values):
    return f"{statistics.median(values):7.1f} s  ({min(values):.1f}–{max(values):.1f})"


def ratio(values, refs):
    r = [v / f for v, f in zip(values, refs)]
    return f"{statistics.median(r):7.1f} x  ({min(r):.1f}–{max(r):.1f})"


rest = [c - i for c, i in zip(cold, installed)]
install = [i - v for i, v in zip(installed, venv)]
lines = [
    ("git clone (not in the figures below)", fig(clone)),
    ("cold: make run in a fresh clone -> 200", fig(cold)),
    ("  venv created after", fig(venv)),
    ("  pip install (upgrade pip, -e .[test])", fig(install)),
    ("  kb init + kb demo + serve + first page", fig(rest)),
    ("warm: second make run -> 200", fig(warm)),
    ("reference: venv + pip install flask", fig(ref)),
    ("ratio cold / reference", ratio(cold, ref)),
    ("ratio venv+install part / reference", ratio(installed, ref)),
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
