# Storyline — the two commands: `make run` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
UV     := $(BIN)/uv
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The quick start is a development server: DEBUG on unless you say DEBUG=0
# (then the demo login is refused and SECRET_KEY / ALLOWED_HOSTS are required).
DEBUG  ?= 1
# Test processes (pytest-xdist): each has its own test database (a clone of
# one migrated template), Chromium and Redis databases. Two per core, at most
# six: many tests wait on other processes (a stack, a browser, a worker), and
# another test process uses the core meanwhile.
TEST_WORKERS ?= $(shell n=$$(( $$(nproc) * 2 )); [ $$n -gt 6 ] && n=6; echo $$n)

.PHONY: run test install install-test check lint format migrate seed demo-user messages \
        system-deps bench lock clean

## make run: set up everything (venv, packages, SQLite, demo data) and serve on 127.0.0.1:8000
run: install migrate seed demo-user
	@if [ "$(DEBUG)" = "0" ]; then DEBUG=0 $(PY) manage.py collectstatic --noinput -v0; fi
	@echo "Serving Storyline on http://$(HOST):$(PORT)/case-studies/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=$(DEBUG) $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what the tests need and run them all
## (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set). The project's
## own modules are compiled once and kept (PYTHONDONTWRITEBYTECODE emptied for
## the run): the processes the tests start read them compiled.
test: install-test system-deps
	@status=0; PYTHONDONTWRITEBYTECODE= DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure." >&2; exit 1; fi; \
	exit $$status

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: every process (a test process, each gunicorn and Celery
# worker a test starts, manage.py) reads Django and the rest compiled, even
# where PYTHONDONTWRITEBYTECODE is set; compiling them afresh cost each
# process seconds of CPU.
$(VENV)/.installed: requirements.txt | $(UV)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements-test.txt | $(UV)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) -r requirements-test.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## System packages the browser and document tests use (Debian, root only; a
## user without root gets a clear skip locally, CI must have them).
system-deps:
	@scripts/system-deps.sh

migrate: install
	DEBUG=$(DEBUG) $(PY) manage.py migrate --noinput

seed: install
	DEBUG=$(DEBUG) $(PY) manage.py seed_demo

# With DEBUG=0 the demo login is refused (and said so) but the server still starts.
demo-user: install
	-DEBUG=$(DEBUG) $(PY) manage.py ensure_demo_user

## Quality gates (CI runs them too)
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(PY) scripts/import_cycles.py
	@! git grep -nE "^\s*from [a-z_.]+ import \*" -- '*.py' || { echo "no star imports" >&2; exit 1; }
	env -u DATABASE_URL -u REDIS_URL DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

lint: check
format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Translations: extract, then compile (needs gettext)
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l id --no-obsolete --add-location file \
	    --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=1 $(PY) manage.py compilemessages -l id --ignore '.venv/*'

## Benchmarks (figures reported in issue notes)
bench: install
	$(PY) bench/speed.py $(BENCH_ARGS)
	$(PY) bench/seed_and_gallery.py
	$(PY) bench/documents.py
	$(PY) bench/drafting.py

## Re-pin after editing pyproject.toml (the compiled files name no registry)
lock: | $(UV)
	$(UV) pip compile pyproject.toml --python-version 3.11 -q --no-header --annotation-style line -o requirements.txt
	$(UV) pip compile pyproject.toml --python-version 3.11 -q --no-header --annotation-style line --extra test -o requirements-test.txt

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
