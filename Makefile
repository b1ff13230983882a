# The README's commands. `make run` and `make test` set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: run test lint test-unit test-integration test-e2e bench docs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)  ## the whole system, embedded, with demo data (ARGS=--no-demo to skip it)
	$(VENV)/bin/tracker up $(ARGS)

test: $(STAMP) lint  ## lint, then every test: unit, integration, e2e
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q tests

lint: $(STAMP)  ## ruff on everything, mypy --strict on the packages
	$(VENV)/bin/ruff check shared tracker services tests bench
	$(VENV)/bin/mypy -p shared -p tracker -p registry -p ladder -p notifier

test-unit: $(STAMP)
	$(PY) -m pytest -q -m unit tests/unit

test-integration: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q tests/integration

test-e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e

bench: $(STAMP)  ## speed measurements; numbers go to BENCHMARKS.md
	$(PY) bench/run_all.py

docs: $(STAMP)  ## AsyncAPI document and JSON Schemas into docs/
	$(VENV)/bin/tracker docs asyncapi -o docs/asyncapi.json
	$(VENV)/bin/tracker docs schemas docs/schemas

clean:
	rm -rf $(VENV) .pytest_cache
