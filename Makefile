# Two entry points the README promises: `make run` (the main job) and `make test` (everything CI runs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run generate test lint clean bench docs

# The tool, editable, with its test tools; its editable install puts generator/, emulator/ and
# generated/ on the path, so the checkout's library is the one imported.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: regenerate, then run every examples/ activation against a local emulator.
run: $(STAMP)
	$(BIN)/destgen generate
	$(BIN)/destgen demo

generate: $(STAMP)
	$(BIN)/destgen generate

# Rewrite the generated reference pages of docs/ (the test suite fails when they are stale).
docs: $(STAMP)
	$(BIN)/python -m destgen.cli.reference_docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/black --check --quiet .
	$(BIN)/mypy

# pytest prints the coverage table; tests/coverage_floor.py then holds every component to its
# floor (lines and branches separately).
test: lint
	$(BIN)/destgen generate --check
	$(BIN)/pytest
	$(BIN)/python -m tests.coverage_floor

bench: $(STAMP)
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) build dist *.egg-info
