"""Ingest benchmark: (a) bare kafka-python poll, (b) Kafka's Java ConsumerPerformance, (c) row-by-row DuckDB
INSERT on a sample, (d) the Ingestor; plus validators (fastjsonschema, jsonschema, the typed fast path) and
max RSS.

    python -m benchmarks.ingest.bench_ingest --events 300000

Uses the broker on JX_KAFKA_PORT (default 29496 here), starting one in a temporary folder when none answers.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import click
import duckdb
import orjson
from kafka import KafkaAdminClient, KafkaConsumer

import contracts
from jixiao import kafka_client, kafka_local
from jixiao.config import settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "ingestors"))
from ingest_helpers import hotline_event  # noqa: E402  (the same events the tests use)

TOPIC = contracts.topic("hotline_12345")


def _produce(cfg, n: int, partitions: int) -> None:
    """Recreate the topic empty, then produce ``n`` distinct events."""
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers)
    if TOPIC in admin.list_topics():
        admin.delete_topics([TOPIC])
        while TOPIC in admin.list_topics():
            time.sleep(0.2)
        time.sleep(1.0)
    admin.close()
    kafka_client.ensure_topics([TOPIC], partitions, cfg)
    producer = kafka_client.producer(cfg, linger_ms=20)
    for i in range(n):
        event = hotline_event(i)
        producer.send(TOPIC, key=event["dept_code"].encode(), value=orjson.dumps(event))
    producer.flush()
    producer.close()


def bare_poll(cfg, n: int) -> float:
    """(a) events/s of a kafka-python poll loop that does nothing with the records."""
    from ingestors.consumer import CONSUMER_OPTIONS

    options = {k: v for k, v in CONSUMER_OPTIONS.items() if k != "allow_auto_create_topics"}
    consumer = KafkaConsumer(TOPIC, bootstrap_servers=cfg.bootstrap_servers, group_id=f"bare-{uuid.uuid4()}",
                             **options)
    seen, started = 0, None
    while seen < n:
        for records in consumer.poll(timeout_ms=500).values():
            started = started or time.monotonic()
            seen += len(records)
    seconds = time.monotonic() - started
    consumer.close(autocommit=False)
    return seen / seconds


def java_consumer_performance(cfg, n: int) -> float:
    """(b) events/s reported by org.apache.kafka.tools.ConsumerPerformance (the JVM client's limit)."""
    cmd = kafka_local.java_command("org.apache.kafka.tools.ConsumerPerformance", [
        "--bootstrap-server", cfg.bootstrap_servers, "--topic", TOPIC, "--messages", str(n),
        "--group", f"perf-{uuid.uuid4()}", "--timeout", "60000"], cfg)
    output = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    header, values = [line for line in output.splitlines() if line.strip()][-2:]
    row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")]))
    return float(row["nMsg.sec"])


def duckdb_row_inserts(n: int) -> float:
    """(c) events/s of the naive way: parse each event and INSERT it as one row into DuckDB."""
    con = duckdb.connect()
    con.execute("create table landed (event_id varchar, event_type varchar, occurred_at timestamptz, "
                "dept_code varchar, schema_version smallint, payload varchar)")
    values = [orjson.dumps(hotline_event(i)) for i in range(n)]
    started = time.monotonic()
    for value in values:
        e = orjson.loads(value)
        con.execute("insert into landed values (?, ?, ?, ?, ?, ?)", [
            e["event_id"], e["event_type"], e["occurred_at"], e["dept_code"], e["schema_version"],
            orjson.dumps(e["payload"]).decode()])
    return n / (time.monotonic() - started)


def ingestor(cfg, n: int) -> tuple[float, int]:
    """(d) events/s of the Ingestor (fresh group, fresh landing zone) and the number landed."""
    from ingestors.consumer import Ingestor

    stats = Ingestor(["hotline_12345"], f"bench-{uuid.uuid4()}", cfg).run(progress=False)
    return stats.consumed / stats.seconds, stats.landed


def validators(n: int) -> dict[str, float]:
    """Envelope + payload validations per second of each candidate."""
    import jsonschema

    from ingestors.validate import valid_envelope

    events = [hotline_event(i) for i in range(n)]
    payload_schema = contracts.load_schema("hotline_12345", "ticket_created")
    envelope = jsonschema.Draft7Validator(contracts.load_schema(None))
    payload = jsonschema.Draft7Validator(payload_schema)
    fast_env, fast_payload = contracts.validator(None), contracts.validator("hotline_12345", "ticket_created")
    candidates = {
        "jsonschema Draft7Validator": lambda e: (envelope.validate(e), payload.validate(e["payload"])),
        "fastjsonschema (compiled)": lambda e: (fast_env(e), fast_payload(e["payload"])),
        "typed envelope + fastjsonschema payload": lambda e: (valid_envelope(e), fast_payload(e["payload"])),
    }
    rates = {}
    for name, check in candidates.items():
        sample = events if "jsonschema D" not in name else events[: n // 10]
        started = time.monotonic()
        for event in sample:
            check(event)
        rates[name] = len(sample) / (time.monotonic() - started)
    return rates


@click.command()
@click.option("--events", default=300_000, show_default=True, type=int)
@click.option("--partitions", default=3, show_default=True, type=int)
@click.option("--sample", default=20_000, show_default=True, type=int, help="Rows for the DuckDB INSERT loop.")
def main(events: int, partitions: int, sample: int) -> None:
    os.environ.setdefault("JX_KAFKA_PORT", "29496")
    os.environ.setdefault("JX_KAFKA_CONTROLLER_PORT", "29497")
    home = Path(tempfile.mkdtemp(prefix="jx-bench-"))
    os.environ["JX_HOME"] = str(home)
    cfg = settings()
    started_broker = not kafka_local.status(cfg).running
    if started_broker:
        os.environ.setdefault("JX_KAFKA_DIR", str(home / "kafka"))
        cfg = settings()
        kafka_local.start(cfg)
    try:
        print(f"broker {cfg.bootstrap_servers}; producing {events:,} events to {TOPIC} ({partitions} partitions)…")
        started = time.monotonic()
        _produce(cfg, events, partitions)
        print(f"  produced in {time.monotonic() - started:.1f}s")
        a = bare_poll(cfg, events)
        print(f"(a) bare kafka-python poll loop      {a:>12,.0f} events/s", flush=True)
        b = java_consumer_performance(cfg, events)
        print(f"(b) Java ConsumerPerformance         {b:>12,.0f} events/s", flush=True)
        c = duckdb_row_inserts(sample)
        print(f"(c) DuckDB row-by-row INSERT ({sample:,}) {c:>9,.0f} events/s", flush=True)
        d, landed = ingestor(cfg, events)
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"(d) jixiao Ingestor                  {d:>12,.0f} events/s  (landed {landed:,})")
        print(f"d/a = {d / a:.2f} (target ≥ 0.8)   d/b = {d / b:.3f} (target ≥ 0.25)   d/c = {d / c:.0f} (target ≥ 200)")
        print(f"max RSS of this process (poll loop + ingestor + DuckDB sample): {rss_mib:,.0f} MiB")
        for name, rate in validators(20_000).items():
            print(f"validator {name:<42} {rate:>10,.0f} events/s")
    finally:
        if started_broker:
            kafka_local.stop(cfg)


if __name__ == "__main__":
    main()
