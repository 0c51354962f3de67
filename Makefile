# The README's two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
PYTHON ?= python3

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev lint migrations-check bench clean system-deps

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## install the service into .venv
install-dev: $(VENV)/.installed-dev  ## install the service and the test tools into .venv

run: install  ## serve on http://127.0.0.1:$(PORT) with SQLite and the demo data
	@mkdir -p instance
	DEMO=1 $(BIN)/flask --app wsgi db upgrade
	DEMO=1 $(BIN)/flask --app wsgi demo load
	DEMO=1 $(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

system-deps:  ## Chromium for the browser tests (apt, when missing and root)
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; fi

test: install-dev system-deps  ## the whole suite (SQLite; TEST_DATABASE_URL=postgresql://… for PostgreSQL)
	$(BIN)/pytest -n auto -q

lint: install-dev  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

migrations-check: install  ## migrate a fresh database and run `alembic check` (DATABASE_URL, default a temp SQLite)
	@url="$${DATABASE_URL:-sqlite:///$$(mktemp -d)/check.db}"; \
	DATABASE_URL="$$url" SECRET_KEY=check $(BIN)/flask --app wsgi db upgrade && \
	DATABASE_URL="$$url" SECRET_KEY=check $(BIN)/flask --app wsgi db check

bench: install-dev  ## the benchmarks (see BENCHMARKS.md)
	$(BIN)/python bench/quote.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/calls.py --workers 2
	$(BIN)/python bench/call_cpu.py
	$(BIN)/python bench/statements.py

clean:  ## remove the virtualenv, the SQLite database and caches
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
