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

.PHONY: demo system-packages test lint serve serve-prod install install-dev messages bench clean

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

# The PDFs need Debian's fonts-liberation2 (Vietnamese glyphs; the old fonts-liberation has none): installed
# when missing and this runs as root with apt, otherwise a warning says what to install.
system-packages:
	@if ! fc-list 2>/dev/null | grep -q "liberation2/LiberationSerif-Regular"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing fonts-liberation2 for the PDFs"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2 >/dev/null) \
	      || echo "WARNING: could not install fonts-liberation2; PDFs may mix fonts (docs/operations.md)"; \
	  else echo "WARNING: install fonts-liberation2 (sudo apt-get install fonts-liberation2) for the PDFs"; fi; \
	fi

demo: install system-packages
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

# Production on this machine (docs/operations.md): DATABASE_URL (PostgreSQL), DOLUONG_SECRET_KEY and
# DOLUONG_ALLOWED_HOSTS required; migrate, collectstatic, then gunicorn and the task worker (deploy/serve-prod).
serve-prod: install
	DOLUONG_BIN=$(BIN) bash deploy/serve-prod

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
