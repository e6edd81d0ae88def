# Common Ground — `make run` (the portal with demo data, worker and beat) and `make test`.
# Both set up a fresh machine first: venv, Python and npm packages, migrations, translations.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
MO := locale/es/LC_MESSAGES/django.mo

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format migrate messages bench-smoke clean

help:
	@echo "make run    - set up, migrate, seed demo data, then web + worker + beat at http://127.0.0.1:8000"
	@echo "make test   - set up, then the whole test suite (SQLite and the embedded broker unless"
	@echo "              DATABASE_URL / REDIS_URL are set)"
	@echo "make lint   - ruff check and format check"
	@echo "make bench-smoke - every benchmark in bench/ at a tiny size"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP_PY): requirements.txt requirements-dev.txt | $(PY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Development defaults for a local machine; the real environment always wins over .env.
.env:
	@printf 'DEBUG=1\n' > $@
	@echo "wrote .env (DEBUG=1) for local development"

$(MO): locale/es/LC_MESSAGES/django.po $(STAMP_PY)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(STAMP_PY) $(STAMP_NPM) .env $(MO)

messages: $(STAMP_PY)
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var --ignore=tests --no-obsolete

migrate: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable

run: migrate
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py seed_demo
	$(BIN)/honcho start -f Procfile

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP_PY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_PY)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-smoke: setup
	$(PY) bench/run.py --smoke

clean:
	rm -rf $(VENV) node_modules staticfiles var .env
