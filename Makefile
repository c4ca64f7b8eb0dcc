# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
WEB_PORT ?= 5000
export WEB_PORT

.PHONY: run test install assets translations chromium migrate seed lint format bench clean extract-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

static/node_modules/.package-lock.json: static/package.json static/package-lock.json
	npm ci --prefix static --no-audit --no-fund --loglevel=error

static/vendor/.copied: static/node_modules/.package-lock.json
	mkdir -p static/vendor/bootstrap
	cp static/node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/bootstrap/
	cp static/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	mkdir -p static/vendor/echarts
	cp static/node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	mkdir -p static/vendor/tom-select
	cp static/node_modules/tom-select/dist/js/tom-select.complete.min.js static/vendor/tom-select/
	cp static/node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css static/vendor/tom-select/
	mkdir -p static/vendor/leaflet
	cp static/node_modules/leaflet/dist/leaflet.js static/node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
	cp -r static/node_modules/leaflet/dist/images static/vendor/leaflet/
	cp static/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js static/vendor/leaflet/
	cp static/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css static/vendor/leaflet/
	touch $@

assets: static/vendor/.copied

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d crm/translations

install: $(VENV)/.installed assets translations

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

# Starts web, worker and beat together on the embedded defaults (SQLite, SQLAlchemy broker,
# e-mail to instance/outbox). Demo data is loaded once.
run: seed
	@mkdir -p instance
	@if [ ! -f instance/.demo-loaded ]; then $(FLASK) demo && touch instance/.demo-loaded; fi
	@$(BIN)/python -m crm.banner
	$(BIN)/honcho start -f Procfile

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# `make test`: the whole suite on SQLite (TEST_DATABASE_URL unset for that run); then, when
# TEST_DATABASE_URL is set, the suite again on that database without the browser and pure unit
# tests. Both runs must pass; a run that collects no tests (pytest exit code 5) fails too.
# Tests run in parallel (pytest-xdist, one process per core; each worker has its own databases).
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile
SECOND_DB_ARGS := -m "not browser" --ignore=tests/unit
define pytest_run
$(1) $(PYTEST) $(2) || { rc=$$?; [ $$rc -ne 5 ] || echo "make test: pytest collected no tests ($(3))" >&2; exit $$rc; }
endef

test: install chromium
	$(call pytest_run,env -u TEST_DATABASE_URL,$(PYTEST_ARGS),SQLite run)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on TEST_DATABASE_URL (no browser or unit tests)"; \
		$(call pytest_run,,$(SECOND_DB_ARGS) $(PYTEST_ARGS),TEST_DATABASE_URL run); \
	else \
		echo "== TEST_DATABASE_URL not set: SQLite run only"; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

extract-messages:
	$(BIN)/pybabel extract -F crm/translations/babel.cfg -k _l -k _p:1c,2 -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations --no-fuzzy-matching

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) static/node_modules static/vendor
