# Tongyun Garden City. `make run` serves the demo site; `make test` runs the suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# make run's links (QR codes, calendar files, messages) name the address it
# serves at; set SITE_URL to the address phones reach (e.g. the machine's
# address on the office network when HOST=0.0.0.0).
SITE_URL ?= http://$(HOST):$(PORT)
SCALE ?= 100

.DEFAULT_GOAL := help
.PHONY: help python-version run serve two-hosts test fmt lint html-check messages check bench drill bench-uploads bench-labels bench-dashboard seed-bench screenshots clean

help:
	@echo "make run       set up and serve the demo site at http://$(HOST):$(PORT)"
	@echo "make two-hosts two app hosts on one machine (PostgreSQL DATABASE_URL, Redis, S3)"
	@echo "make test      install and run the whole test suite"
	@echo "make check     migrations, translations, lint and tests"
	@echo "make fmt       format the code"
	@echo "make html-check  the Nu HTML Checker over every kind of page (needs java and npm)"
	@echo "make messages  update and compile the Chinese catalogue"
	@echo "make bench     measure pages, sign-ups, first loads and uploads (PostgreSQL; docs/PERFORMANCE.md)"
	@echo "make drill     cut Redis, PostgreSQL and the worker in turn under load (docs/DEPLOY.md)"
	@echo "make bench-uploads  measure the memory large uploaded pictures take"
	@echo "make bench-labels   time a sheet of 200 printed QR labels"
	@echo "make bench-dashboard  time the dashboard with the demo data and ten times as much"
	@echo "make seed-bench     fill the database with benchmark data (SCALE=100; never production)"

# Django 6 needs Python 3.12 or newer; say so plainly instead of failing in pip.
python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "Tongyun Garden City needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12 (pyenv reads .python-version) or run: make PYTHON=python3.12 ..."; \
	  exit 1; }

$(BIN)/python:
	@$(MAKE) --no-print-directory python-version
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# A local settings file with a fresh secret key; never committed.
.env:
	@sed "s|^SECRET_KEY=.*|SECRET_KEY=$$(od -An -N48 -tx1 /dev/urandom | tr -d ' \n')|" .env.example > .env
	@echo "Wrote .env with a new SECRET_KEY."

run: $(VENV)/.runtime .env
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) load_demo --staff
	@echo "Serving Tongyun Garden City at http://$(HOST):$(PORT)/ (staff: /admin/; Ctrl-C stops)"
	@echo "Links in QR codes, calendar files and messages start with $(SITE_URL)"
	@# gunicorn, and the worker that sends messages, stopped together.
	SITE_URL=$(SITE_URL) deploy/serve-local.sh $(BIN) $(HOST):$(PORT)

# Several hosts on one machine (docs/DEPLOY.md section 11): gunicorn on
# ports 8001 and 8002, one PostgreSQL (DATABASE_URL), one Redis (CACHE_URL),
# a moto S3 server unless S3_BUCKET is set, and one task worker.
two-hosts: $(VENV)/.dev .env
	deploy/two-hosts.sh $(BIN)

test: $(VENV)/.dev .env
	$(BIN)/python -m pytest $(PYTEST_ARGS)

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The Nu HTML Checker (npm's vnu-jar, pinned in package-lock.json) over
# every kind of page, rendered from the demo data in a throwaway database.
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime;
# the machine's java runs the jar.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

html-check: $(VENV)/.dev .env node_modules/.package-lock.json
	$(BIN)/python -m tests.html_check

# Catalogue: English msgids, Chinese translations. The .mo is committed so
# a machine without gettext can still serve Chinese.
messages: $(VENV)/.dev .env
	$(MANAGE) makemessages -l zh_Hans --no-location --no-obsolete
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

check: $(VENV)/.dev .env
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) makemessages -l zh_Hans --no-location --no-obsolete
	@stats=$$(msgfmt --statistics -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po 2>&1); echo "$$stats"; \
	  case "$$stats" in *untranslated*|*fuzzy*) echo "The Chinese catalogue is incomplete."; exit 1;; esac
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test

bench: $(VENV)/.runtime .env
	bash bench/run.sh

# The fault drill (docs/DEPLOY.md, "Fault drill"): a database of its own
# (DRILL_DB), Redis database 14, two hosts and a worker behind TCP proxies.
drill: $(VENV)/.runtime
	$(BIN)/python bench/drill.py

bench-uploads: $(VENV)/.runtime .env
	$(BIN)/python bench/upload_memory.py

bench-labels: $(VENV)/.runtime
	$(BIN)/python bench/labels.py

bench-dashboard: $(VENV)/.runtime .env
	$(BIN)/python bench/dashboard.py

# Benchmark data: migrate, then seed_bench --scale $(SCALE) (refuses a second
# set; see `manage.py seed_bench --help`). Use DATABASE_URL for PostgreSQL.
seed-bench: $(VENV)/.runtime .env
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_bench --scale $(SCALE)

screenshots: $(VENV)/.dev .env
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
