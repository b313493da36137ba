"""Shared fixtures: one real Kafka broker per test session, on test ports, in a temporary folder, and one
simulated platform (simulate → Kafka → ingest → the Airflow DAG) built once per session for read-only use.

Ports come from ``JX_TEST_KAFKA_PORT`` / ``JX_TEST_KAFKA_CONTROLLER_PORT`` (defaults 29092/29093) so
a test run never collides with a demo broker on the default ports; under pytest-xdist (``make test`` runs two
workers) each worker runs its own broker, 10 ports higher per worker, and the tests sharing a world run on one
worker (``worker.group_by_shared_world``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from topics import delete_source_topics, fresh_platform
from worker import group_by_shared_world, worker_port

from jixiao import contracts
from jixiao.ingestors.consumer import IngestStats, ingest
from jixiao.orchestration import PIPELINE_DAG, run_dag_once
from jixiao.runtime import kafka_local
from jixiao.runtime.config import Settings, environment, settings
from jixiao.simulator.run import simulate
from jixiao.simulator.sinks import KafkaSink


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    group_by_shared_world(items)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """A running broker for the whole session; stopped (no process left) at the end."""
    with environment({"JX_KAFKA_PORT": str(worker_port("JX_TEST_KAFKA_PORT", 29092)),
                      "JX_KAFKA_CONTROLLER_PORT": str(worker_port("JX_TEST_KAFKA_CONTROLLER_PORT", 29093)),
                      "JX_KAFKA_DIR": str(tmp_path_factory.mktemp("kafka"))}):
        cfg = settings()
        kafka_local.start(cfg)
        yield cfg
        kafka_local.stop(cfg)


@pytest.fixture
def jx_home(tmp_path, monkeypatch):
    """A fresh output folder (landing zone, warehouse, reports) for one test."""
    monkeypatch.setenv("JX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def fresh_topics(kafka_broker, jx_home):
    """Empty source topics and a fresh JX_HOME for one test; yields the settings."""
    delete_source_topics(kafka_broker)
    return settings()


class RecordingSink(KafkaSink):
    """Produces to Kafka and keeps a copy of every value, to recompute results independently."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.values: list[tuple[str, bytes]] = []

    def write_many(self, sources, keys, values, instants=None):
        self.values += zip(sources, values)
        super().write_many(sources, keys, values, instants)


@dataclass
class SimulatedPlatform:
    """A published platform instance built from a simulated province through the real services."""

    cfg: Settings
    produced: dict[str, int]
    values: list[tuple[str, bytes]]
    ingest: IngestStats
    dag_log: Path

    @property
    def truth(self) -> dict:
        """The simulator's planted truth (for tests that check recovery, as evaluation code does)."""
        return json.loads((self.cfg.simulator_dir / "ground_truth.json").read_text(encoding="utf-8"))

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.cfg.warehouse_path), read_only=True)


PLATFORM_SCALE = {"scale": "XS", "seed": 11, "start": "2026-01", "months": 12,
                  "planted_overrides": {"malformed": {"event_rate": 0.003},
                                        "collusive_bidding": {"rigged_tenders_per_month": 8, "audit_confirm_rate": 0.5}}}
"""The shared platform: a two-city province for a year, with more malformed records than the default and enough
rigged tenders confirmed by audits for the integrity model to have labels (a two-city world has few)."""


@pytest.fixture(scope="session")
def simulated_platform(kafka_broker, tmp_path_factory) -> SimulatedPlatform:
    """Simulate → Kafka → ingest → one Airflow run of the pipeline DAG, once per session. Read it, never write it."""
    with fresh_platform(tmp_path_factory, "platform") as cfg:
        sink = RecordingSink(cfg)
        produced = simulate(sink, progress=False, **PLATFORM_SCALE)
        stats = ingest(list(contracts.SOURCES), group="simulated-platform", cfg=cfg, progress=False)
        dag_log = run_dag_once(PIPELINE_DAG, cfg)
    return SimulatedPlatform(cfg, produced, sink.values, stats, dag_log)
