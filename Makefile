# salesops: `make run` to try it, `make test` to prove it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test test-postgresql test-sqlite test-services lint format migrations-check python-version clean

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || \
	  { echo "salesops needs Python >= 3.12 (found: $$($(PYTHON) --version 2>&1)); install 3.13 as .python-version says."; exit 1; }

$(BIN)/python: | python-version
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py demo
	@echo "salesops: http://127.0.0.1:8000 (Ctrl-C stops the web server and the worker)"
	DEBUG=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

# The whole suite twice: on PostgreSQL (production) and on SQLite (the embedded database of `make run`).
test: test-postgresql test-sqlite

test-services: $(STAMP_DEV)
	scripts/ensure-chromium
	scripts/ensure-redis

test-postgresql: test-services
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: test-services
	scripts/with-sqlite $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP_DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP_DEV)
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/staticfiles
