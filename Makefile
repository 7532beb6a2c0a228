# The one entry point for humans and CI. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVING := $(VENV)/.installed-serve  # what serving needs: the package and its few dependencies
STAMP := $(VENV)/.installed  # and the test stack (the SDK, Pulser, schemathesis, a browser driver...)

.PHONY: serve test lint format bench clean

$(SERVING): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(SERVING)

$(STAMP): $(SERVING)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(SERVING)  ## serve 500 generated jobs on http://127.0.0.1:8000
	$(BIN)/mockjobs serve --seed 500

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff (lint, format) and import-linter (the layers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)  ## throughput, latency and plugin timings, printed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/bench_wrk.py
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_plugin.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_batches.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
