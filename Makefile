# Two entry points the README promises: `make generate` (the main job) and `make test` (everything CI runs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run generate test lint clean bench

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/black --check --quiet .
	$(BIN)/mypy

test: lint
	$(BIN)/destgen generate --check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) build *.egg-info
