# jixiao — the two commands a newcomer needs: `make demo` and `make test`. Both set everything up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test kafka-start kafka-stop kafka-status bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "jixiao needs Python 3.11: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade uv
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	touch $@

setup: $(STAMP)  ## venv + locked Python deps + Kafka jars from Maven Central
	$(BIN)/python -c 'from jixiao.runtime.kafka_local import ensure_jars; print("Kafka jars:", ensure_jars())'

demo: setup  ## the main job end to end: simulate → Kafka → land → dbt → checks → reports
	$(BIN)/jixiao demo

test: setup  ## the whole test suite against a real broker (started and stopped by the tests)
	$(BIN)/pytest

kafka-start: setup
	$(BIN)/jixiao kafka start
kafka-stop: setup
	$(BIN)/jixiao kafka stop
kafka-status: setup
	$(BIN)/jixiao kafka status

clean:  ## remove generated data (var/) and build outputs; keeps the venv and jar cache
	$(BIN)/jixiao kafka stop || true
	rm -rf var dbt_project/target dbt_project/logs
