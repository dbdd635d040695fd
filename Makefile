# doluong — the two commands of the README:
#   make demo   set up everything on this machine and serve the demo province on http://127.0.0.1:8000
#   make test   install what the tests need and run lint, import contracts and the whole suite
# DATABASE_URL selects PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/doluong); SQLite otherwise.

PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
HOST   ?= 127.0.0.1:8000
PYTEST_ARGS ?= -n 2

.PHONY: demo test lint serve install install-dev messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed (pyenv: see .python-version)"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.txt pyproject.toml
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps --no-build-isolation -e . 2>/dev/null || $(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	@touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

demo: install
	$(BIN)/doluong migrate --noinput -v0
	$(BIN)/doluong load_reference
	$(BIN)/doluong load_demo
	@echo "Serving on http://$(HOST)/ with a background worker for large imports (Ctrl-C stops both)"
	$(BIN)/doluong db_worker --no-reload -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/doluong runserver $(HOST) --noreload

serve: install
	$(BIN)/doluong db_worker --no-reload -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/doluong runserver $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: install-dev
	cd src/doluong && ../../$(BIN)/doluong makemessages -l vi --no-location --no-obsolete -i "metrology/*"
	cd src/doluong && ../../$(BIN)/doluong compilemessages -l vi

bench: install-dev
	$(BIN)/python bench/pages_bench.py

clean:
	rm -rf $(VENV) var
