# The README's commands. `make run` and `make test` set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM := $(VENV)/.system-packages
KAFKA_JARS := $(VENV)/.kafka-jars
PYTEST_WORKERS ?= 2
# the browser tests' headless Chromium (Debian package)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint test-unit test-integration test-e2e test-chaos soak bench docs clean vendor

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Debian packages the embedded broker and the tests need, installed once where missing (as root):
# Java 17+ and Maven for Apache Kafka, docker-compose to validate docker-compose.yml.
$(SYSTEM): $(STAMP)
	@missing=""; \
	$(PY) -c 'import sys; from tracker.kafka_jars import java; sys.exit(java()[0] is None)' \
		|| missing="$$missing default-jre-headless"; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	{ command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1; } \
		|| missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $(SYSTEM)

# Apache Kafka's jars (pom.xml) into ~/.m2, once; the broker starts offline afterwards.
$(KAFKA_JARS): pom.xml $(SYSTEM)
	$(PY) -m tracker.kafka_jars
	touch $(KAFKA_JARS)

run: $(STAMP) $(KAFKA_JARS)  ## the whole system, embedded, with demo data (ARGS=--no-demo to skip it)
	$(VENV)/bin/tracker up $(ARGS)

test: $(STAMP) $(KAFKA_JARS) node_modules $(CHROMIUM) lint  ## lint, then every test: unit, integration, e2e, browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q tests

lint: $(STAMP)  ## ruff on everything, mypy --strict on the packages
	$(VENV)/bin/ruff check shared tracker services tests bench
	$(VENV)/bin/mypy -p shared -p tracker -p registry -p ladder -p notifier -p entitlements

test-unit: $(STAMP) $(SYSTEM)
	$(PY) -m pytest -q -m unit tests/unit

test-integration: $(STAMP) $(KAFKA_JARS)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q tests/integration

test-e2e: $(STAMP) $(KAFKA_JARS)
	$(PY) -m pytest -q tests/e2e

test-chaos: $(STAMP) $(KAFKA_JARS)  ## faults under load; prints the scenario table
	$(PY) -m pytest -q -m chaos tests/chaos

# a day of load, compressed (not part of `make test`): MINUTES=5 make soak for a short one
MINUTES ?= 30
soak: $(STAMP) $(KAFKA_JARS)  ## steady mixed load with kill -9s and a broker restart; prints the report
	$(PY) -m tests.soak --minutes $(MINUTES)

# what the benchmarks need beyond the tests: aiohttp and py-spy (PyPI), wrk (Debian)
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) $(KAFKA_JARS)  ## speed measurements (~9 min, and the scale phase: about an hour); numbers go to BENCHMARKS.md
	$(PY) bench/run_all.py

docs: $(STAMP)  ## AsyncAPI document and JSON Schemas into docs/
	$(VENV)/bin/tracker docs asyncapi -o docs/asyncapi.json
	$(VENV)/bin/tracker docs schemas docs/schemas

# JavaScript the tests need (the AsyncAPI parser); ECharts is vendored from it (make vendor)
# (npm writes node_modules/.package-lock.json last, so an interrupted install is redone)
NODE_STAMP := node_modules/.package-lock.json
node_modules: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	touch $(NODE_STAMP)

vendor: node_modules  ## refresh the dashboard's vendored ECharts from node_modules
	cp node_modules/echarts/dist/echarts.min.js services/ladder/ladder/static/vendor/
	cp node_modules/echarts/LICENSE services/ladder/ladder/static/vendor/echarts.LICENSE

# headless Chromium for the browser tests (Debian's package, driven by Playwright), with
# the CJK fonts a bureau member's machine has (without them Chinese shows as boxes)
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk

clean:
	rm -rf $(VENV) .pytest_cache
