# Safeguard: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
ASSETS := safeguard/static/dist/application.css
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := SAFEGUARD_ENV=development

.PHONY: help run test test-suite lint typecheck bench bench-smoke system-deps browser-deps assets demo-data totp migrate clean \
	run-production-like production-deps verify-audit backup restore test-faults test-api-fuzz

help:
	@echo "make run    - set up and run Safeguard with demo data on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite (lint, unit and browser tests)"
	@echo "make test-api-fuzz - schemathesis against the partner API: 0 5xx, 0 schema violations (CI runs it)"
	@echo "make bench  - run the benchmarks in bench/ (make bench-smoke: each once with tiny sizes)"
	@echo "make lint   - ruff (lint, complexity, format) and mypy (make typecheck)"
	@echo "make totp   - print the demo analyst's current two-factor code"
	@echo "make run-production-like - PostgreSQL, Redis, S3 stand-in, gunicorn and task workers (docs/production.md)"
	@echo "make verify-audit / backup / restore BACKUP=file - audit chain check, backup and restore"

# --- set-up ---------------------------------------------------------------------------------------
# vpdq (requirements/base.txt, ADR 0108) has no wheel: pip builds it with CMake against FFmpeg's libav* libraries.
VIDEO_DEPS := pkg-config cmake g++ ffmpeg libavcodec-dev libavformat-dev libavdevice-dev libavutil-dev \
	libswscale-dev libswresample-dev libavfilter-dev python3-dev
VIDEO_LIBS := libavcodec libavformat libavdevice libavutil libswscale libswresample libavfilter

system-deps:
	@command -v python3 >/dev/null || { echo "python3 (3.11+) is required"; exit 1; }
	@command -v npm >/dev/null || { echo "Node.js and npm are required"; exit 1; }
	@if ! command -v ffmpeg >/dev/null || ! command -v cmake >/dev/null || ! command -v g++ >/dev/null \
		|| ! pkg-config --exists $(VIDEO_LIBS) 2>/dev/null \
		|| ! python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))'; then \
		echo "Installing FFmpeg's libraries, CMake and a C++ compiler (vpdq is built from source)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(VIDEO_DEPS) >/dev/null; \
	fi

# Order-only: the libraries vpdq builds against are there before pip runs, without forcing a reinstall.
$(STAMP_PY): requirements/base.txt requirements/dev.txt | system-deps
	python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): $(STAMP_NPM) scripts/build-assets.mjs safeguard/static/src/application.scss
	npm run --silent build

assets: $(ASSETS)

# Debian's chromium drives the browser tests (Playwright's own browser download is not used).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null; \
	fi

migrate: $(STAMP_PY)
	@mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py createcachetable

demo-data: migrate
	$(DEV_ENV) $(PY) manage.py load_demo_data
	$(DEV_ENV) $(PY) manage.py load_education_demo
	$(DEV_ENV) $(PY) manage.py load_wanted_demo
	$(DEV_ENV) $(PY) manage.py load_dissemination_demo
	$(DEV_ENV) $(PY) manage.py load_demo_coverage

# --- run ------------------------------------------------------------------------------------------
run: system-deps $(STAMP_PY) $(ASSETS) demo-data
	$(DEV_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(DEV_ENV) $(PY) manage.py demo_login
	@echo "Starting the web server on http://$(HOST):$(PORT), a task worker and the scheduler (Ctrl+C stops them)"
	@trap 'kill 0' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py task_worker --worker-id dev-worker-1 & \
	$(DEV_ENV) $(PY) manage.py run_schedule & \
	$(DEV_ENV) $(VENV)/bin/gunicorn safeguard.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - & \
	wait

# --- production-like (docs/production.md) ------------------------------------------------------------
production-deps:
	@if ! command -v redis-server >/dev/null || ! command -v nginx >/dev/null || [ -z "$$(ls /usr/lib/postgresql 2>/dev/null)" ]; then \
		echo "Installing Debian's postgresql, redis-server and nginx-light"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql redis-server nginx-light >/dev/null; \
	fi

run-production-like: system-deps production-deps $(STAMP_PY) $(ASSETS)
	$(PY) deploy/run_production_like.py --demo-data $(ARGS)

verify-audit: $(STAMP_PY)
	$(DEV_ENV) $(PY) manage.py verify_audit

backup: $(STAMP_PY)
	$(DEV_ENV) $(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

restore: $(STAMP_PY)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/safeguard-....tar"; exit 1; }
	$(DEV_ENV) $(PY) manage.py restore $(BACKUP)

# Fault tests start real processes (gunicorn, workers, PostgreSQL); CI runs them in its PostgreSQL phase.
test-faults: production-deps $(STAMP_PY)
	SAFEGUARD_FAULT_TESTS=1 $(VENV)/bin/pytest tests/faults -v $(PYTEST_ARGS)

# Schemathesis against the partner API (tests/api_fuzz/run, ADR 0104): a fresh database and server, bounded
# examples per operation (API_FUZZ_EXAMPLES, default 30); fails on any 5xx or schema violation. CI runs it after `make test`.
test-api-fuzz: $(STAMP_PY)
	$(PY) tests/api_fuzz/run

totp: $(STAMP_PY)
	@$(DEV_ENV) $(PY) manage.py demo_login --code-only

# --- test -----------------------------------------------------------------------------------------
test: system-deps browser-deps $(STAMP_PY) $(ASSETS) test-suite

test-suite: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP_PY) typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# mypy with django-stubs over the apps listed in pyproject.toml ([tool.mypy] files); the plugin loads the settings.
typecheck: $(STAMP_PY)
	$(DEV_ENV) $(VENV)/bin/mypy

bench: $(STAMP_PY) $(ASSETS)
	@set -e; for b in bench/bench_*.py; do echo "# $$b"; $(PY) $$b; done

# Every bench once with tiny sizes (BENCH_SMOKE=1, bench/_smoke.py), two at a time: checks they still run, measures nothing.
bench-smoke: $(STAMP_PY) $(ASSETS)
	$(PY) bench/_smoke.py

clean:
	rm -rf $(VENV) node_modules safeguard/static/dist var
