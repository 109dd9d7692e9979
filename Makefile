# Havana Chat: `make run` serves the app, `make test` runs every test, `make eval` scores the assistant.
# All set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test eval setup migrate admin system-deps clean

run: $(VENV)/.installed  ## SQLite + offline assistant on http://localhost:3000
	$(BIN)/python run_migrations.py
	$(BIN)/python app.py

test: $(VENV)/.installed-dev system-deps  ## the whole suite (MariaDB and Chromium tests run when available)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

eval: $(VENV)/.installed-dev  ## the golden conversations through the real server; EVAL_ARGS="--show-failures" etc.
	$(BIN)/python -m eval.run $(EVAL_ARGS)

setup: $(VENV)/.installed

migrate: $(VENV)/.installed
	$(BIN)/python run_migrations.py

admin: $(VENV)/.installed  ## make admin NAME=alice
	$(BIN)/python app.py create-admin $(NAME)

system-deps:  ## Debian's Chromium for the browser tests (root only; otherwise they are skipped locally)
	@scripts/install-system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) instance .pytest_cache
