"""Shared fixtures: one real Kafka broker per test session, on test ports, in a temporary folder.

Ports come from ``JX_TEST_KAFKA_PORT`` / ``JX_TEST_KAFKA_CONTROLLER_PORT`` (defaults 29092/29093) so
a test run never collides with a demo broker on the default ports.
"""
from __future__ import annotations

import os
import time

import pytest
from kafka import KafkaAdminClient

from jixiao import contracts
from jixiao.runtime import kafka_local
from jixiao.runtime.config import settings


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """A running broker for the whole session; stopped (no process left) at the end."""
    saved = {k: os.environ.get(k) for k in ("JX_KAFKA_PORT", "JX_KAFKA_CONTROLLER_PORT", "JX_KAFKA_DIR")}
    os.environ["JX_KAFKA_PORT"] = os.environ.get("JX_TEST_KAFKA_PORT", "29092")
    os.environ["JX_KAFKA_CONTROLLER_PORT"] = os.environ.get("JX_TEST_KAFKA_CONTROLLER_PORT", "29093")
    os.environ["JX_KAFKA_DIR"] = str(tmp_path_factory.mktemp("kafka"))
    cfg = settings()
    kafka_local.start(cfg)
    yield cfg
    kafka_local.stop(cfg)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def jx_home(tmp_path, monkeypatch):
    """A fresh output folder (landing zone, warehouse, reports) for one test."""
    monkeypatch.setenv("JX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def fresh_topics(kafka_broker, jx_home):
    """Delete every source topic so the test starts from empty topics; yields the settings."""
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        source_topics = [contracts.topic(s) for s in contracts.SOURCES]
        existing = [t for t in admin.list_topics() if t in source_topics]
        if existing:
            admin.delete_topics(existing)
            deadline = time.monotonic() + 30
            while set(existing) & set(admin.list_topics()):
                assert time.monotonic() < deadline, "topics were not deleted within 30s"
                time.sleep(0.2)
    finally:
        admin.close()
    return settings()
