# Baton developer commands. `make run` starts everything on this machine; `make test` is what CI runs.

# The first Python 3.11+ found (override with `make PYTHON=/path/to/python3.12 install`).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when a requirements file changes.
STAMP := $(VENV)/.requirements.stamp
PYTEST_WORKERS ?= 2

.PHONY: install run test lint format clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then echo "Baton needs Python 3.11 or newer (python3 on PATH)."; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# The embedded default: private Redis, migrate, demo data, web + worker + beat (Ctrl-C stops all).
run: install
	$(BIN)/python scripts/run.py

# lint-imports: the layers and no-cycle contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, SQLite and in-memory otherwise.
test: lint
	$(BIN)/pytest -n $(PYTEST_WORKERS)

clean:
	rm -rf $(VENV) .run staticfiles .pytest_cache .ruff_cache
