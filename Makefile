# Havana Chat: `make run` serves the app, `make test` runs every test, `make eval` scores the assistant.
# All set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test eval setup migrate admin system-deps clean translations extract-messages

run: $(VENV)/.installed translations  ## SQLite + offline assistant on http://localhost:3000
	$(BIN)/python run_migrations.py
	$(BIN)/python app.py

test: $(VENV)/.installed-dev translations system-deps  ## the whole suite (MariaDB and Chromium tests run when available)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

eval: $(VENV)/.installed-dev  ## the golden conversations through the real server; EVAL_ARGS="--show-failures" etc.
	$(BIN)/python -m eval.run $(EVAL_ARGS)

setup: $(VENV)/.installed translations

translations: $(VENV)/.installed  ## compile translations/*/LC_MESSAGES/messages.po to .mo (the app also compiles stale ones at start)
	$(BIN)/pybabel compile -d translations

extract-messages: $(VENV)/.installed  ## collect new strings into translations/messages.pot and merge them into each .po
	$(BIN)/pybabel extract -F babel.cfg -k tr:2 -k t -k tn:1,2 -k N_ --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --ignore-pot-creation-date

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
