"""Shared by the ingestor tests: produce small hotline events fast, run ingestor processes, read the landing zone."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import orjson
import pyarrow.dataset as ds

from jixiao import contracts
from jixiao.runtime import kafka_client
from jixiao.runtime.config import REPO_ROOT, Settings

HOTLINE = "hotline_12345"
_START = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))
TOPIC = contracts.topic(HOTLINE)


def hotline_event(i: int, text: str = "小区路灯不亮，请尽快修复") -> dict:
    """A valid ticket_created event (about 300 bytes), ten seconds after the one before."""
    occurred = _START + timedelta(seconds=10 * i)
    return {"event_id": f"hotline_12345-{i:09d}", "source": HOTLINE, "event_type": "ticket_created",
            "occurred_at": occurred.isoformat(),
            "dept_code": f"GD-SZ-D{i % 40:02d}", "schema_version": 1,
            "payload": {"ticket_id": f"T{i:09d}", "category": "市政设施", "text": text,
                        "assigned_dept": f"GD-SZ-D{i % 40:02d}"}}


def produce(cfg: Settings, values: list[tuple[bytes | None, bytes | None]], topic: str = TOPIC,
            partitions: int = 3) -> None:
    """Create ``topic`` and send (key, value) pairs with the batched idempotent producer."""
    kafka_client.ensure_topics([topic], partitions, cfg)
    producer = kafka_client.producer(cfg, linger_ms=20)
    try:
        for key, value in values:
            producer.send(topic, key=key, value=value)
        producer.flush()
    finally:
        producer.close()


def produce_hotline(cfg: Settings, n: int, partitions: int = 3) -> set[str]:
    """Produce ``n`` distinct valid hotline events; return their event ids."""
    events = [hotline_event(i) for i in range(n)]
    produce(cfg, [(e["dept_code"].encode(), orjson.dumps(e)) for e in events], partitions=partitions)
    return {e["event_id"] for e in events}


def landed_ids(cfg: Settings) -> list[str]:
    """Every landed event_id (with repeats, if any were landed twice)."""
    files = [str(p) for p in cfg.landing_dir.glob("source=*/dt=*/*.parquet")]
    if not files:
        return []
    return ds.dataset(files, format="parquet").to_table(columns=["event_id"]).column(0).to_pylist()


def dead_letters(cfg: Settings):
    files = [str(p) for p in cfg.dead_letter_dir.glob("*/*.parquet")]
    return ds.dataset(files, format="parquet").to_table() if files else None


def ingest_process(cfg: Settings, group: str, *extra: str, sources: str = HOTLINE) -> subprocess.Popen:
    """``jixiao ingest`` as a separate process, with this test's JX_HOME and broker."""
    env = {**os.environ, "JX_HOME": str(cfg.home), "JX_KAFKA_PORT": str(cfg.kafka_port)}
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli", "ingest", "--sources", sources, "--group", group,
                             "--no-progress", *extra], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    """Wait for an ingestor process; its output; fail with that output when it did not exit cleanly."""
    output, _ = process.communicate(timeout=timeout)
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"ingestor exited {process.returncode}:\n{text[-3000:]}"
    return text
