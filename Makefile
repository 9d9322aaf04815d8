# The two commands of the README: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install translations extract-messages update-catalogs clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip

# Reinstall only when the dependency declarations change.
$(STAMP): $(PY) setup.cfg requirements.txt pyproject.toml
	$(PY) -m pip install -q -c requirements.txt -e '.[test,bench]' 2> >(grep -v 'is ignored: it is neither' >&2)
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	@$(VENV)/bin/pybabel compile -d esg_portal/translations > /dev/null

run: install translations
	$(VENV)/bin/esg-portal setup-demo
	PORT=$(PORT) $(VENV)/bin/esg-portal serve

test: install translations
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install translations
	$(PY) bench/run.py
	$(PY) bench/reconcile.py --rows 1000000

# Maintainer helpers for the catalogs (ky, ru; English is the source language).
extract-messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o esg_portal/translations/messages.pot --no-location --sort-output --no-wrap .

update-catalogs: extract-messages
	$(VENV)/bin/pybabel update -i esg_portal/translations/messages.pot -d esg_portal/translations --no-fuzzy-matching --ignore-obsolete --no-wrap

clean:
	rm -rf $(VENV) instance/*.db
