"""The local broker: start answers, status reports, stop leaves no process behind."""
from __future__ import annotations

import os

import pytest

from jixiao.runtime import kafka_local
from jixiao.runtime.config import settings


def _broker_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"kafka.Kafka" in handle.read():
                        pids.add(int(entry))
            except OSError:
                continue
    return pids


def test_start_status_stop_on_own_ports(tmp_path, monkeypatch):
    monkeypatch.setenv("JX_KAFKA_PORT", os.environ.get("JX_TEST_KAFKA_PORT2", "29192"))
    monkeypatch.setenv("JX_KAFKA_CONTROLLER_PORT", os.environ.get("JX_TEST_KAFKA_CONTROLLER_PORT2", "29193"))
    monkeypatch.setenv("JX_KAFKA_DIR", str(tmp_path / "kafka"))
    cfg = settings()
    before = _broker_pids()
    started = kafka_local.start(cfg)
    assert started.running and started.pid in _broker_pids()
    assert kafka_local.start(cfg).pid == started.pid, "a second start must reuse the running broker"
    stopped = kafka_local.stop(cfg)
    assert not stopped.running
    assert _broker_pids() == before, "stop must leave no broker process behind"
    assert kafka_local.stop(cfg).running is False, "stopping a stopped broker is harmless"


def test_port_taken_by_another_process_is_a_clear_error(kafka_broker, tmp_path, monkeypatch):
    monkeypatch.setenv("JX_KAFKA_DIR", str(tmp_path / "other"))  # same ports, different data dir
    with pytest.raises(kafka_local.KafkaError, match="JX_KAFKA_PORT"):
        kafka_local.start(settings())


def test_kafka_version_is_pinned_in_the_pom():
    assert kafka_local.kafka_version().startswith("4.")
