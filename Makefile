# Bridge developer tasks. `make test` is the test command (CI runs it via .ci/run).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
VENV_PY     := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
PYTEST_ARGS ?=

# sudo only when not root; apt waits for a dpkg lock held by another apt run.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900

OIDC_DIR    := tests/support/oidc
OIDC_STAMP  := $(OIDC_DIR)/node_modules/.installed

.PHONY: help venv run chromium pango oidc lint test test-sqlite test-pg bench clean distclean

help:
	@echo "make venv         create .venv and install the app with test extras"
	@echo "make run          migrate, load demo data, run web app (127.0.0.1:5000) + outbox worker"
	@echo "make chromium     install /usr/bin/chromium via apt if missing"
	@echo "make pango        install Pango and fonts via apt if missing (WeasyPrint draws the report pack PDF)"
	@echo "make oidc         npm ci the OpenID provider the single sign-on tests start (needs Node 20+)"
	@echo "make lint         static checks: ruff (lint rules) and bandit (security), configured in pyproject.toml"
	@echo "make test         lint, then tests on SQLite, then on a throwaway PostgreSQL cluster"
	@echo "make test-sqlite  tests on SQLite only      (PYTEST_ARGS='-k ...' to narrow)"
	@echo "make test-pg      tests on PostgreSQL only"
	@echo "make bench        load benchmark on SQLite and PostgreSQL (installs wrk, pg_dump if missing)"
	@echo "make clean        remove caches and build leftovers (distclean: also .venv)"

venv: $(STAMP)

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

# Re-install whenever pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(VENV_PY)
	$(VENV_PY) -m pip install -e '.[test]'
	touch $@

run: venv pango
	bin/run-dev

chromium:
	@if [ -x /usr/bin/chromium ]; then \
		echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"; \
	else \
		$(APT_GET) update && $(APT_GET) install -y chromium; \
	fi

# WeasyPrint (the report pack's PDF) needs Pango and a font from Debian.
PANGO_PKGS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pango:
	@if dpkg -s $(PANGO_PKGS) >/dev/null 2>&1; then \
		echo "pango: installed"; \
	else \
		$(APT_GET) update && $(APT_GET) install -y $(PANGO_PKGS); \
	fi

# The single sign-on tests start a real OpenID provider from the committed package-lock.json.
oidc: $(OIDC_STAMP)

$(OIDC_STAMP): $(OIDC_DIR)/package.json $(OIDC_DIR)/package-lock.json
	@command -v npm >/dev/null || { $(APT_GET) update && $(APT_GET) install -y nodejs npm; }
	cd $(OIDC_DIR) && npm ci --no-audit --no-fund
	touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r pwa wsgi.py

test: venv chromium pango oidc
	@rc=0; \
	echo "== static checks =="; \
	$(MAKE) --no-print-directory lint || { echo "!! static checks failed"; rc=1; }; \
	echo "== tests on SQLite =="; \
	env -u BRIDGE_TEST_DATABASE $(VENV)/bin/pytest -q $(PYTEST_ARGS) || { echo "!! SQLite run failed"; rc=1; }; \
	echo "== tests on PostgreSQL =="; \
	BRIDGE_TEST_DATABASE=postgresql $(VENV)/bin/pytest -q $(PYTEST_ARGS) || { echo "!! PostgreSQL run failed"; rc=1; }; \
	exit $$rc

test-sqlite: venv chromium pango oidc
	@echo "== tests on SQLite =="
	env -u BRIDGE_TEST_DATABASE $(VENV)/bin/pytest -q $(PYTEST_ARGS)

test-pg: venv chromium pango oidc
	@echo "== tests on PostgreSQL =="
	BRIDGE_TEST_DATABASE=postgresql $(VENV)/bin/pytest -q $(PYTEST_ARGS)

bench: venv chromium pango
	@command -v wrk >/dev/null || { $(APT_GET) update && $(APT_GET) install -y wrk; }
	@command -v pg_dump >/dev/null || { $(APT_GET) update && $(APT_GET) install -y postgresql-client-15; }
	$(VENV_PY) -m bench

clean:
	rm -rf .pytest_cache build *.egg-info bench/out .pgtest
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
