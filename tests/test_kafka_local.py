"""The local broker: start answers, status reports, stop leaves no process behind."""
from __future__ import annotations

import os

import pytest

from jixiao.runtime import kafka_local
from jixiao.runtime.config import settings
from worker import worker_port


def _broker_pids(kafka_dir) -> set[int]:
    """Broker processes of this test's data folder (other brokers on a shared machine come and go)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmdline = handle.read()
            except OSError:
                continue
            if b"kafka.Kafka" in cmdline and str(kafka_dir).encode() in cmdline:
                pids.add(int(entry))
    return pids


def test_start_status_stop_on_own_ports(tmp_path, monkeypatch):
    base = worker_port("JX_TEST_KAFKA_PORT", 29092)  # two ports above this worker's session broker
    monkeypatch.setenv("JX_KAFKA_PORT", str(base + 2))
    monkeypatch.setenv("JX_KAFKA_CONTROLLER_PORT", str(base + 3))
    monkeypatch.setenv("JX_KAFKA_DIR", str(tmp_path / "kafka"))
    cfg = settings()
    assert not _broker_pids(cfg.kafka_dir)
    started = kafka_local.start(cfg)
    assert started.running and _broker_pids(cfg.kafka_dir) == {started.pid}
    assert kafka_local.start(cfg).pid == started.pid, "a second start must reuse the running broker"
    stopped = kafka_local.stop(cfg)
    assert not stopped.running
    assert not _broker_pids(cfg.kafka_dir), "stop must leave no broker process behind"
    assert kafka_local.stop(cfg).running is False, "stopping a stopped broker is harmless"


def test_port_taken_by_another_process_is_a_clear_error(kafka_broker, tmp_path, monkeypatch):
    monkeypatch.setenv("JX_KAFKA_DIR", str(tmp_path / "other"))  # same ports, different data dir
    with pytest.raises(kafka_local.KafkaError, match="JX_KAFKA_PORT"):
        kafka_local.start(settings())


def test_kafka_version_is_pinned_in_the_pom():
    assert kafka_local.kafka_version().startswith("4.")
