# Ventanilla: `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6.1 needs Python 3.12+: the first interpreter that really runs wins.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3.13 \
	$$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
PYTEST_ARGS ?=

.PHONY: help demo serve test test-postgres lint install data bench bench-search bench-login \
	bench-submissions bench-interop bench-notifications browser-deps \
	deploy-deps clean

help:
	@echo "make demo   - install, migrate, load the real data and serve http://$(HOST):$(PORT)"
	@echo "make test   - the whole test suite on SQLite"
	@echo "make lint   - ruff, mypy, import-linter, makemigrations --check, OpenAPI check"
	@echo "make bench  - page-serving benchmark (needs nginx and wrk; installs them when root)"
	@echo "make bench-search - search relevance (Hit@1/3, MRR) and speed at 100k documents,"
	@echo "                    on SQLite and PostgreSQL"
	@echo "make bench-login  - login p50/p99 under 50 concurrent logins (Argon2id)"
	@echo "make bench-submissions - 50 citizens submitting a 20-question form with a file,"
	@echo "                    stored exactly once; the inbox at 100,000 cases"
	@echo "make bench-interop - the information mediator: added latency over a direct registry"
	@echo "                    read, exchanges/s with 2 workers, verifying a 1,000,000-entry log"
	@echo "make bench-notifications - 10,000 e-mails and 10,000 SMS through 2 workers and the"
	@echo "                    fakes: time to 95 %/100 % delivered, send rate, baseline"
	@echo "                    (OUTAGE=60: the SMTP relay down for a minute mid-run)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Ventanilla necesita Python 3.12 o superior (no se encontró)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

data: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_reference_data
	$(PY) manage.py govstack_messaging_load
	$(PY) manage.py setup_demo --base-url http://$(HOST):$(PORT)
	$(PY) manage.py govstack_registration_load
	$(PY) manage.py interop_setup
	$(PY) manage.py interop_govstack_load

demo: data
	@echo "Sirviendo en http://$(HOST):$(PORT)/ (Ctrl+C para detener)"
	$(PY) manage.py demo_serve --addrport $(HOST):$(PORT)

serve: install
	$(PY) manage.py demo_serve --addrport $(HOST):$(PORT)

browser-deps:
	@bash deploy/scripts/ensure-browser.sh

# nginx + Debian's cache-purge module + wrk: tests/deploy/ and `make bench` run the real nginx.
deploy-deps:
	@bash deploy/scripts/ensure-nginx.sh

test: install browser-deps deploy-deps
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install browser-deps deploy-deps
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test \
	VENTANILLA_DATABASE_URL=$${VENTANILLA_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ventanilla} \
	$(PY) -m pytest --create-db $(PYTEST_ARGS)

# Every check runs even when one fails, so one run shows every problem; any failure fails lint.
LINT_STEPS := "$(VENV)/bin/ruff check ." \
	"$(VENV)/bin/ruff format --check ." \
	"$(VENV)/bin/mypy ventanilla config" \
	"$(VENV)/bin/lint-imports" \
	"DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run" \
	"DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py export_openapi --check"

lint: install
	@failed=""; for step in $(LINT_STEPS); do echo "$$step"; eval "$$step" || failed="$$failed\n  $$step"; \
	done; if [ -n "$$failed" ]; then echo -e "make lint failed:$$failed"; exit 1; fi

bench: install deploy-deps
	$(PY) bench/pages.py

bench-search: install
	$(PY) bench/search_relevance.py
	$(PY) bench/search_speed.py

# 50 concurrent logins against gunicorn + PostgreSQL + Redis, beside a static file and Argon2 alone.
bench-login: install
	$(PY) bench/login_load.py

# 50 concurrent citizens through the real HTTP path (pages, upload, double-clicked submit) and
# the inbox at 100,000 cases, beside an empty Django view; a throwaway PostgreSQL database.
bench-submissions: install
	$(PY) bench/submissions.py

# The mediator beside the fake RENIEC registry read directly and an empty view, 16 clients for
# 10 s, and verify_message_log over 1,000,000 signed entries; a throwaway PostgreSQL database.
bench-interop: install
	$(PY) bench/interop.py

# 10,000 e-mails and 10,000 SMS queued, 2 db_worker processes, the fake SMTP relay and SMS
# gateway, their callbacks into gunicorn; beside the same rows written without sending. A
# throwaway PostgreSQL database and Redis for the rate limits. OUTAGE=60 stops the relay a minute.
bench-notifications: install
	$(PY) bench/notifications.py $(if $(OUTAGE),--outage $(OUTAGE))

clean:
	rm -rf var $(VENV)
