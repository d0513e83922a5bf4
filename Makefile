# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
VAR    := $(or $(ZHENGFA_VAR_DIR),var)
# Test processes per stage (pytest-xdist): one per core of the 2-core machines.
WORKERS ?= 2
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock | cksum | cut -d' ' -f1)
PO     := $(wildcard zhengfa/locale/*/LC_MESSAGES/django.po)
MO     := $(PO:.po=.mo)

export DJANGO_SETTINGS_MODULE := zhengfa.settings

.PHONY: setup run test lint typecheck test-sqlite test-postgres test-browser bench drill fuzz lock messages clean clean-data

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

%.mo: %.po
	@scripts/ensure-system-packages.sh gettext
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

setup: $(STAMP) $(MO)

## Serve the embedded demo on 127.0.0.1:$(PORT).
run: setup
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)/ (staff sign-in: http://127.0.0.1:$(PORT)/accounts/login/)"
	@# The background worker runs beside the server and stops with it.
	$(BIN)/python manage.py worker -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

## Every check: lint, types, tests on SQLite, tests on PostgreSQL, browser tests.
test: setup lint typecheck test-sqlite test-postgres test-browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v1

typecheck: $(STAMP)
	$(BIN)/mypy zhengfa scripts

test-sqlite: setup
	@scripts/ensure-system-packages.sh gettext
	ZHENGFA_ENV=test $(BIN)/pytest -m "not browser" -q -n $(WORKERS)

test-postgres: setup
	ZHENGFA_ENV=test scripts/with-postgres.sh $(BIN)/pytest -m "not browser" -q -n $(WORKERS)

test-browser: setup
	@scripts/ensure-system-packages.sh chromium fonts-wqy-microhei
	ZHENGFA_ENV=test DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser -q -n $(WORKERS)

## Speed figures over HTTP on a throwaway PostgreSQL (never asserted in unit tests); takes
## about 20 minutes. BENCH_COUNTIES (20), BENCH_SECONDS (8), BENCH_JSON: see scripts/bench.py.
bench: setup
	@scripts/ensure-system-packages.sh wrk postgresql-15
	$(BIN)/python scripts/bench.py

## Crash under load: SIGKILLs gunicorn and the background worker during public submissions,
## then checks that nothing acknowledged was lost and nothing is half-written (3-10 minutes).
## DRILL_ACKS (2000), DRILL_KILLS (8), DRILL_MINUTES (8): see scripts/drill.py.
drill: setup
	@scripts/ensure-system-packages.sh postgresql-15
	$(BIN)/python scripts/drill.py

## Every public and staff form posted FUZZ_EXAMPLES generated inputs (default 1000, fresh each
## run): never a 5xx, and a refused form saves nothing. Prints forms, examples and statuses.
## About 35 minutes on 2 cores (`make test` runs 8 per form, the same each time).
FUZZ_EXAMPLES ?= 1000
fuzz: setup
	ZHENGFA_ENV=test FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider -n $(WORKERS) zhengfa/*/tests/test_fuzz.py

## Re-resolve the lock file after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile -q --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## Refresh the Chinese catalogue after adding strings, then translate what it marks.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-location

## Remove what make rebuilds; the database and uploads stay (see clean-data).
clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache $(VAR)/static $(VAR)/test-zhengfa.sqlite3*
	@echo "Kept the database and uploads in $(VAR)/; 'make clean-data' deletes them."

## Delete the embedded database, every upload and the text-message files: asks first
## (CONFIRM=yes skips the question).
clean-data:
	@if [ "$(CONFIRM)" != yes ]; then \
	  printf 'Delete the database, uploads and text-message files in $(VAR)/? [y/N] '; \
	  read answer; [ "$$answer" = y ] || { echo "Nothing deleted."; exit 0; }; \
	fi; \
	rm -rf $(VAR)/zhengfa.sqlite3 $(VAR)/zhengfa.sqlite3-wal $(VAR)/zhengfa.sqlite3-shm \
	  $(VAR)/media $(VAR)/sms; \
	echo "Deleted them; the next 'make run' loads the demo county."
