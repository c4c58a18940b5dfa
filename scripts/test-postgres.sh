#!/usr/bin/env bash
# The whole test suite against PostgreSQL: on KB_TEST_DATABASE_URL when it is set, otherwise
# on a throwaway server on loopback (scripts/pg-test-cluster.sh), stopped and deleted at the end.
# Arguments go to pytest:  scripts/test-postgres.sh -m postgres
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${KB_TEST_DATABASE_URL:-}" ]; then
  exec .venv/bin/pytest "$@"
fi
dir=$(mktemp -d /tmp/kb-pg.XXXXXX)
trap 'bash scripts/pg-test-cluster.sh stop "$dir"' EXIT
url=$(bash scripts/pg-test-cluster.sh start "$dir")
echo "Tests mit PostgreSQL: $url"
KB_TEST_DATABASE_URL=$url .venv/bin/pytest "$@"
