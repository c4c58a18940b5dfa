#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, on loopback, with all its files in DIR.
#
#   scripts/pg-test-cluster.sh start DIR   # prints the URL for KB_TEST_DATABASE_URL
#   scripts/pg-test-cluster.sh stop DIR    # stops the server and deletes DIR
#
# Why a private cluster (initdb in DIR) and not Debian's "main" cluster via pg_ctlcluster:
# in a fresh container no service manager runs, "main" may be missing, stopped, on another
# port or holding someone's data. A private cluster on a free port touches none of that and
# is gone after `stop`. Debian's packages are installed with apt-get when no PostgreSQL
# server binaries exist (as root; otherwise the exact command is printed).
#
# Durability is switched off (fsync, synchronous_commit, full_page_writes): the data is
# thrown away after the run, and the suite creates a database per test.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "Aufruf: $0 start|stop VERZEICHNIS" >&2
  exit 2
fi

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Run a command as the cluster's owner: initdb and postgres refuse to run as root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_server() {
  local cmd="apt-get update && apt-get install -y --no-install-recommends postgresql"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Für die Tests mit PostgreSQL fehlt der Server. Bitte als Administrator ausführen:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
  echo "Installiere PostgreSQL aus den Debian-Paketen" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
}

start() {
  local bindir port
  bindir=$(find_bindir)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    install_server
    bindir=$(find_bindir)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200" >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE kb_test" >/dev/null
  echo "$port" >"$dir/port"
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/kb_test"
}

stop() {
  local bindir
  bindir=$(find_bindir)
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *)
    echo "Unbekannte Aktion: $action (start oder stop)" >&2
    exit 2
    ;;
esac
