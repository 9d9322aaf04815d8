# The two commands of the README: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install translations axe-core extract-messages update-catalogs clean bench

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

# axe-core from the npm registry for the accessibility browser test, into a git-ignored folder; once per
# version (the stamp), and skipped with a warning when npm is missing (the test then skips, saying why)
AXE_CORE_VERSION := 4.14.1
AXE_CORE_STAMP := tests/e2e/vendor/.axe-core-$(AXE_CORE_VERSION)
$(AXE_CORE_STAMP):
	@if command -v npm >/dev/null; then \
	  npm install --prefix tests/e2e/vendor --no-audit --no-fund --save-exact --loglevel=error axe-core@$(AXE_CORE_VERSION) && touch $@; \
	else echo "npm not found: the axe-core accessibility test will be skipped (apt-get install npm)" >&2; fi
axe-core: $(AXE_CORE_STAMP)

test: install translations axe-core
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
