# QA Framework. `make demo` runs the product; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
DEMO_DB := $(CURDIR)/db.sqlite3
# The demo: SQLite, tasks in-process, DEBUG on, plain http on 127.0.0.1.
DEMO_ENV := env -u REDIS_URL DATABASE_URL=sqlite:///$(DEMO_DB) DEBUG=1 STATIC_MANIFEST=0
SIZE ?= demo

.PHONY: help install system python node assets demo demo-data serve test test-fast lint format smoke bench clean

help:
	@echo "make demo       install what is missing, build the demo authority, serve http://127.0.0.1:8000"
	@echo "make test       install what is missing (Chromium included), lint, run every test"
	@echo "make test-fast  the tests without the browser and the Celery worker"
	@echo "make bench       timings at the scale of the largest authorities (medians)"
	@echo "make smoke      a short SQLite demo smoke test (every page as two personas, no 500)"

system:
	@scripts/install-system-packages

system-browser:
	@scripts/install-system-packages --with-browser

# The venv is rebuilt only when the requirements change (the stamp holds their checksum).
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PIP) install -q --disable-pip-version-check --upgrade pip
	@$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

python: $(VENV)/.stamp

node_modules/.stamp: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.stamp

static/build/app.css: node_modules/.stamp $(wildcard static/scss/*.scss)
	@mkdir -p static/build
	@npx --no-install sass --quiet --no-source-map --style=compressed --load-path=. static/scss/app.scss $@
	@cp node_modules/govuk-frontend/dist/govuk/all.bundle.js static/build/govuk-frontend.js

assets: static/build/app.css

install: system python node assets

# The demo starts from a fresh database each time, so it is the same for the same day.
demo-data: install
	@mkdir -p .cache
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@$(DEMO_ENV) $(MANAGE) migrate --no-input -v0
	@$(DEMO_ENV) $(MANAGE) createcachetable
	@$(DEMO_ENV) $(MANAGE) load_framework
	@# Building the demo sends hundreds of (synthetic) emails: keep them off the console; the
	@# notifications are rows, shown in the app. The running demo prints its emails as usual.
	@$(DEMO_ENV) EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend $(MANAGE) seed_demo --size $(SIZE)
	@$(DEMO_ENV) EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend $(MANAGE) run_sweeps

demo: demo-data
	@$(DEMO_ENV) $(MANAGE) demo_sign_ins
	@$(MAKE) --no-print-directory serve

# Serve the existing demo database again without rebuilding it.
serve:
	@echo "Serving http://127.0.0.1:8000 (Ctrl+C to stop)"
	@$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: system-browser python node assets lint
	@mkdir -p .cache
	$(VENV)/bin/pytest

test-fast: python node assets
	@mkdir -p .cache
	$(VENV)/bin/pytest -m "not browser and not worker"

lint: python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: python
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

smoke: install
	@scripts/smoke-demo

# Timings at scale (the large demo authority in its own SQLite file). Never part of make test.
BENCH_ENV := env -u REDIS_URL DATABASE_URL=sqlite:///$(CURDIR)/.cache/bench.sqlite3 DEBUG=1 STATIC_MANIFEST=0
bench: install
	@mkdir -p .cache
	@$(BENCH_ENV) $(MANAGE) migrate --no-input -v0
	@$(BENCH_ENV) $(MANAGE) createcachetable
	@$(BENCH_ENV) $(MANAGE) load_framework
	@$(BENCH_ENV) $(MANAGE) seed_demo --size large
	@$(BENCH_ENV) $(MANAGE) bench
	@$(PY) benchmarks/allocation.py
	@$(PY) benchmarks/baskets.py
	@$(PY) benchmarks/annex_a.py
	@$(PY) benchmarks/reports.py

clean:
	rm -rf .cache static/build db.sqlite3 db.sqlite3-*
