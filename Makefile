# kb — two commands on a fresh machine: `make run` and `make test`.
# Both are idempotent: each step only does what is missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-pg setup system-deps system-deps-test lint format bench clean-data

run: system-deps setup
	$(BIN)/kb demo
	$(BIN)/kb serve --host $(HOST) --port $(PORT)

test: system-deps-test setup lint
	$(BIN)/pytest

# The whole suite again on PostgreSQL: a throwaway server on loopback (Debian's packages are
# installed when missing), or the one KB_TEST_DATABASE_URL names.
test-pg: system-deps-test setup
	bash scripts/test-postgres.sh

setup: $(STAMP)
	$(BIN)/kb init

system-deps:
	@bash scripts/system-deps.sh run

system-deps-test:
	@bash scripts/system-deps.sh test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kb braucht Python 3.11 oder neuer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,prod]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check kb tests bench
	$(BIN)/ruff format --check kb tests bench

format: $(STAMP)
	$(BIN)/ruff format kb tests bench
	$(BIN)/ruff check --fix kb tests bench

bench: system-deps setup
	$(BIN)/python bench/run_all.py

# Removes runtime data of the default location (not KB_DATA_DIR): database, blobs, index.
clean-data:
	rm -rf instance uploads/* index/*
	touch uploads/.gitkeep index/.gitkeep
