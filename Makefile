# Two commands on a fresh machine:  `make run`  and  `make test`  (see README).
SHELL := /bin/bash
PYTHON ?= $(shell ls -d $$HOME/.pyenv/versions/3.12.*/bin/python3.12 2>/dev/null | sort -V | tail -n 1 || command -v python3.12)
VENV := .venv
PY := $(VENV)/bin/python
# Both cores (pytest-xdist): every fixture server binds an ephemeral port; override with PYTEST_ARGS=.
PYTEST_ARGS ?= -n 2
# pip repeats "Location '<index>' is ignored" for every package when a machine-wide pip config names
# index folders that do not exist; those lines say nothing about this project (errors still show).
PIP_QUIET := { grep -v "^WARNING: Location '.*' is ignored" || true; }

.PHONY: install postgres chromium run test lint typecheck bench clean package django-suite

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it or run make PYTHON=/path/to/python3.12"; exit 1; }
	@echo "==> creating $(VENV) with $(PYTHON)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | $(PIP_QUIET)
	@echo "==> installing pinned requirements (requirements-dev.txt)"
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 | $(PIP_QUIET)
	@touch $@

postgres:
	@scripts/ensure-postgres

# Debian's chromium for the headless-browser test of /api/docs (apt-get, only when missing).
chromium:
	@scripts/ensure-chromium

run: install postgres
	@$(PY) scripts/run_local.py

test: install postgres chromium
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@echo "==> mypy"
	@$(VENV)/bin/mypy
	@echo "==> pytest (whole suite, slow end-to-end tests included)"
	@$(PY) -m pytest $(PYTEST_ARGS)
	@echo "==> django-suite (Django's own tests on dsql_backend through the DSQL stand-in)"
	@$(PY) scripts/django_suite.py

# Django's own test suite (sdist cached in ~/.cache/vela/django-sdist) against dsql_backend via the stand-in;
# DJANGO_SUITE_ARGS="--backend postgresql" runs the same modules on Django's stock backend for comparison.
django-suite: install postgres
	@$(PY) scripts/django_suite.py $(DJANGO_SUITE_ARGS)

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

# mypy with the Django and DRF plugins over the packages listed in pyproject.toml [tool.mypy] files.
typecheck: install
	@$(VENV)/bin/mypy

bench: install postgres
	@for script in bench/[!_]*.py; do echo "==> $$script"; $(PY) $$script || exit 1; done

# The Lambda zip for STAGE (default dev): clean app-only .venv-package, precompiled bytecode, size report.
STAGE ?= dev
package:
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: run make PYTHON=/path/to/python3.12"; exit 1; }
	@$(PYTHON) scripts/package.py --stage $(STAGE)

clean:
	rm -rf $(VENV) .venv-package .pytest_cache .ruff_cache build dist
