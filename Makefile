# Two entry points the README promises: `make run` (the main job) and `make test` (everything CI runs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run generate test test-clients lint clean bench bench-smoke docs fuzz

# The tool, editable, with its test tools; its editable install puts generator/, emulator/,
# runtime/ and generated/ on the path, so the checkout's library is the one imported.
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

# Clients nobody here wrote, against the emulator: aepp (Adobe's de-facto Python wrapper, pinned;
# about 500 MB, so in a venv of its own, built once). A failed install fails the target.
CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed

$(CLIENTS_STAMP): pyproject.toml
	$(PY) -m venv $(CLIENTS)
	$(CLIENTS)/bin/pip install --quiet --upgrade pip
	$(CLIENTS)/bin/pip install --quiet -e . 'aepp==0.6.0' 'pytest>=8' 'pytest-timeout==2.4.0'
	touch $(CLIENTS_STAMP)

# Without the suite's conftest (it needs the dev tools) and with warnings from aepp's own
# requests (it calls IMS with verify=False) left to aepp.
test-clients: $(CLIENTS_STAMP)
	$(CLIENTS)/bin/python -m pytest -o addopts="" --noconftest -p no:cacheprovider \
		-W ignore -q tests/clients

# Every property test DEPTH times as deep, from a fresh random seed each run (the suite repeats
# the same examples every time): about 9 minutes at the default on two cores. The seed is
# printed first; `make fuzz SEED=N` draws the same examples again, and a failure also prints the
# @reproduce_failure line for its one example. Bounded: DEPTH times the examples, each test DEPTH
# times its time limit.
DEPTH ?= 20
# Drawn once (:=), so the seed printed is the seed used.
ifndef SEED
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
fuzz: $(STAMP)
	@echo "make fuzz DEPTH=$(DEPTH) SEED=$(SEED) draws these examples again"
	DESTGEN_FUZZ_DEPTH=$(DEPTH) $(BIN)/pytest -m "hypothesis or fuzz" --no-cov \
		--hypothesis-seed=$(SEED) --timeout=$$((300 * $(DEPTH)))

bench: $(STAMP)
	$(BIN)/python -m bench.all

# Every benchmark at a tiny size (seconds): proves each still runs; CI runs it after the tests.
bench-smoke: $(STAMP)
	DESTGEN_BENCH_SMOKE=1 $(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) $(CLIENTS) build dist *.egg-info
