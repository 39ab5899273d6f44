# Two entry points for a fresh machine (see README): `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= newsdesk.db

.PHONY: setup demo test lint bench clean

$(BIN)/newsdesk: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	@touch $@

setup: $(BIN)/newsdesk

demo: setup
	$(BIN)/newsdesk run examples/ --db $(DB)
	$(BIN)/newsdesk brief examples/ --db $(DB) --format md -o brief.md
	$(BIN)/newsdesk brief examples/ --db $(DB) --format html -o brief.html
	@echo
	@echo "Browse the demo archive (read-only, http://127.0.0.1:8765/; Ctrl-C stops it):"
	@echo "  $(BIN)/newsdesk serve --db $(DB)"

test: setup
	$(BIN)/pytest
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,ray,bench]'
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm brief.md brief.html .pytest_cache .mypy_cache .ruff_cache
