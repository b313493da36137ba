# jixiao — the two commands a newcomer needs: `make demo` and `make test`. Both set everything up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the platform and its tests need: headless Chromium + a CJK font (report site, PDFs, Data Docs
# check) and kcat (a Kafka client the project did not write, for the hostile-input test).
APT_PACKAGES := chromium fonts-wqy-zenhei kcat
# Test workers (pytest-xdist): a serial run left a core idle 40 % of the time (builds wait on dbt's graph, tests on
# brokers and subprocesses). Each worker is a test session of its own, with its own broker.
TEST_WORKERS ?= 2

.PHONY: setup system-packages demo test kafka-start kafka-stop kafka-status bench clean

# --compile-bytecode: the dependencies' .pyc are written once here. Where PYTHONDONTWRITEBYTECODE is set (as in the
# image) nothing is cached at run time, and every process — dbt, each landing or scoring worker — compiled them again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "jixiao needs Python 3.11: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade uv
	$(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	touch $@

system-packages:  ## apt-get install what is missing of APT_PACKAGES (quiet when all are there)
	@missing="$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

setup: $(STAMP) system-packages  ## venv + locked Python deps + Kafka jars from Maven Central + Debian packages
	$(BIN)/python -c 'from jixiao.runtime.kafka_local import ensure_jars; print("Kafka jars:", ensure_jars())'
	$(BIN)/python -c 'from jixiao.expectations.docs_assets import ensure_assets; from jixiao.runtime.config import settings; ensure_assets(settings().cache)'

demo: setup  ## the main job end to end: simulate → Kafka → land → dbt → checks → reports
	$(BIN)/jixiao demo

test: setup  ## the whole test suite against a real broker per worker (started and stopped by the tests)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

kafka-start: setup
	$(BIN)/jixiao kafka start
kafka-stop: setup
	$(BIN)/jixiao kafka stop
kafka-status: setup
	$(BIN)/jixiao kafka status

clean:  ## remove generated data (var/) and build outputs; keeps the venv and jar cache
	$(BIN)/jixiao kafka stop || true
	rm -rf var dbt_project/target dbt_project/logs
