"""Ingest benchmark: (a) bare kafka-python poll, (b) Kafka's Java ConsumerPerformance, (c) row-by-row DuckDB
INSERT on a sample, (d) the Ingestor; plus validators (fastjsonschema, jsonschema, the typed fast paths), members of
one group against one member, and the landing worker's memory under a large backlog.

    python -m benchmarks.ingest.bench_ingest --events 300000 [--workers 1 --workers 2] [--rounds 3]
        [--members 2] [--backlog 10000000 [--backlog-partitions 33]]

Uses the broker on JX_KAFKA_PORT (default 29496 here), starting one in a temporary folder when none answers.

How each figure is measured, so that the ratios compare like with like:

- (a) and (d) consume the same freshly produced topic of N events, each with a fresh consumer group.
  Both are timed two ways: *steady* = all N events from the moment the group assigned the partitions (the end
  of the join) to the end — for (d) the last landing commit confirmed and the workers stopped, so it includes
  work (a) never does — and *overall* = from the consumer's creation (for (d) including the landing workers'
  start-up). The ratio d/a uses the steady figures. (a) polls with large fetches (8 MiB per partition, 20,000
  records a poll); the Ingestor fetches 1 MiB per partition to bound its memory.
- (d) is ``jixiao ingest``'s Ingestor run in a child process: a consumer process that polls record batches and
  ships them raw, and ``--workers`` landing worker processes (default one per core) that decode, validate, dedup,
  mask and write Parquet. Its CPU per event and peak RSS (``VmHWM``) are reported per process.
- (b) reports both of ConsumerPerformance's figures: ``fetch.nMsg.sec`` (the JVM's own fetch rate,
  excluding JVM start and the group rebalance) and ``nMsg.sec`` (overall).
- (c) runs on a sample (``--sample``) and is extrapolated as events/s.
- ``--members M``: M Ingestor processes (one landing worker each) started together in one group, from the first
  join to the last member's end, against one such member alone.
- ``--backlog N``: N messages produced by ``org.apache.kafka.tools.ProducerPerformance`` from a payload file of
  valid events (a random line each: many re-sends) on ``--backlog-partitions`` partitions (default 33, as in the M
  world, so each landing worker holds as many full dedup windows), then one Ingestor run until caught up; its peak
  RSS.

On a shared machine, run ``--rounds 3``: the load of the moment moves every figure; ratios within a round count.
"""
from __future__ import annotations

import os
import statistics
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
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from jixiao import contracts
from jixiao.runtime import kafka_client, kafka_local
from jixiao.runtime.config import settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))
from ingest_helpers import hotline_event  # noqa: E402  (the same events the tests use)

TOPIC = contracts.topic("hotline_12345")


def _recreate(cfg, partitions: int) -> None:
    """The benchmark topic, empty."""
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers)
    if TOPIC in admin.list_topics():
        admin.delete_topics([TOPIC])
        while TOPIC in admin.list_topics():
            time.sleep(0.2)
        time.sleep(1.0)
    admin.close()
    kafka_client.ensure_topics([TOPIC], partitions, cfg)


def _produce(cfg, n: int, partitions: int) -> None:
    """Recreate the topic empty, then produce ``n`` distinct events."""
    _recreate(cfg, partitions)
    producer = kafka_client.producer(cfg, linger_ms=20)
    for i in range(n):
        event = hotline_event(i)
        producer.send(TOPIC, key=event["dept_code"].encode(), value=orjson.dumps(event))
    producer.flush()
    producer.close()


class _Joined(ConsumerRebalanceListener):
    """Notes when the consumer got its partitions (the end of the group join)."""

    at: float | None = None

    def on_partitions_assigned(self, assigned):
        self.at = self.at or time.monotonic()

    def on_partitions_revoked(self, revoked):
        pass


BARE_OPTIONS = dict(enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=20_000,
                    fetch_min_bytes=256 * 1024, fetch_max_wait_ms=100, max_partition_fetch_bytes=8 * 1024 * 1024,
                    fetch_max_bytes=32 * 1024 * 1024, check_crcs=False, metrics_enabled=False)
"""(a)'s settings: large fetches and polls (the ingestor fetches less per partition to bound its memory)."""


def bare_poll(cfg, n: int) -> tuple[float, float]:
    """(a) events/s of a kafka-python poll loop that does nothing with the records: (steady, overall)."""
    created = time.monotonic()
    consumer = KafkaConsumer(bootstrap_servers=cfg.bootstrap_servers, group_id=f"bare-{uuid.uuid4()}",
                             **BARE_OPTIONS)
    joined = _Joined()
    consumer.subscribe([TOPIC], listener=joined)
    seen = 0
    while seen < n:
        seen += sum(len(records) for records in consumer.poll(timeout_ms=500).values())
    ended = time.monotonic()
    consumer.close(autocommit=False)
    return seen / (ended - joined.at), seen / (ended - created)


def java_consumer_performance(cfg, n: int) -> tuple[float, float]:
    """(b) events/s reported by org.apache.kafka.tools.ConsumerPerformance (the JVM client's limit):
    (fetch.nMsg.sec — its own fetch rate without JVM start and rebalance, nMsg.sec — overall)."""
    cmd = kafka_local.java_command("org.apache.kafka.tools.ConsumerPerformance", [
        "--bootstrap-server", cfg.bootstrap_servers, "--topic", TOPIC, "--messages", str(n),
        "--group", f"perf-{uuid.uuid4()}", "--timeout", "60000"], cfg)
    output = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    header, values = [line for line in output.splitlines() if line.strip()][-2:]
    row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")]))
    return float(row["fetch.nMsg.sec"]), float(row["nMsg.sec"])


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


_RUN_INGESTOR = """
import json, resource, sys, threading, time
from kafka import KafkaAdminClient
from jixiao.ingestors.consumer import Ingestor
from jixiao.runtime.processes import peak_rss_mib
created = time.monotonic()
group, workers, members = sys.argv[1], int(sys.argv[2]) or None, int(sys.argv[3])
member = Ingestor(["hotline_12345"], group, workers=workers)
resumed = []
if members > 1:  # hold every partition paused until all members are in the group: no rebalance mid-run
    assigned = member.on_partitions_assigned
    def hold(partitions):
        assigned(partitions)
        if not resumed:
            member.consumer.pause(*partitions)
    member.on_partitions_assigned = hold
    def release():
        admin = KafkaAdminClient(bootstrap_servers=member.cfg.bootstrap_servers)
        while True:
            try:
                state = admin.describe_groups([group])[group]
                if state["group_state"] == "Stable" and len(state["members"]) == members:
                    break
            except Exception:
                pass
            time.sleep(0.05)
        admin.close()
        resumed.append(time.time())
        member.consumer.resume(*member.consumer.paused())
    threading.Thread(target=release, daemon=True).start()
stats = member.run(progress=False)
seconds, ended = time.monotonic() - created, time.time()
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
joined = resumed[0] if resumed else ended - stats.seconds + stats.joined
print(json.dumps({**stats.__dict__, "overall_seconds": seconds, "joined_epoch": joined,
                  "ended_epoch": ended, "rss_consumer_mib": peak_rss_mib(), "rss_worker_mib": stats.worker_peak_rss_mib,
                  "cpu_consumer": me.ru_utime + me.ru_stime, "cpu_workers": workers.ru_utime + workers.ru_stime}))
"""


def ingestor(cfg, n: int, workers: int | None = None) -> dict:
    """(d) the Ingestor in a child process (fresh group, fresh landing zone): its stats, rates and max RSS."""
    return members(cfg, 1, workers)[0]


def members(cfg, count: int, workers: int | None = None) -> list[dict]:
    """``count`` Ingestor processes started together in one fresh group on a fresh landing zone: each one's stats,
    rates (its own) and max RSS. Several members hold their partitions paused until all of them joined (the local
    broker completes a join at once: the first member would otherwise fetch everything before the second is in)."""
    root = Path(__file__).resolve().parents[2]
    home = Path(tempfile.mkdtemp(prefix="jx-bench-d-", dir=cfg.home))
    env = {**os.environ, "JX_HOME": str(home), "JX_KAFKA_PORT": str(cfg.kafka_port)}
    group = f"bench-{uuid.uuid4()}"
    processes = [subprocess.Popen([sys.executable, "-c", _RUN_INGESTOR, group, str(workers or 0), str(count)],
                                  cwd=root, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=3600)
        if process.returncode:
            raise RuntimeError(f"the ingestor failed:\n{out[-2000:]}{err[-3000:]}")
        result = orjson.loads(out.strip().splitlines()[-1])
        result["steady"] = result["consumed"] / (result["seconds"] - result["joined"])
        result["overall"] = result["consumed"] / result["overall_seconds"]
        results.append(result)
    return results


def group_rate(results: list[dict]) -> float:
    """Events/s of members together: from the first member's join to the last member's end."""
    return sum(r["consumed"] for r in results) / (max(r["ended_epoch"] for r in results)
                                                  - min(r["joined_epoch"] for r in results))


def validators(n: int) -> dict[str, float]:
    """Envelope + payload validations per second of each candidate."""
    import jsonschema

    from jixiao.ingestors.validate import fast_payload_check, valid_envelope

    events = [hotline_event(i) for i in range(n)]
    payload_schema = contracts.load_schema("hotline_12345", "ticket_created")
    envelope = jsonschema.Draft7Validator(contracts.load_schema(None))
    payload = jsonschema.Draft7Validator(payload_schema)
    fast_env, fast_payload = contracts.validator(None), contracts.validator("hotline_12345", "ticket_created")
    candidates = {
        "jsonschema Draft7Validator": lambda e: (envelope.validate(e), payload.validate(e["payload"])),
        "fastjsonschema (compiled)": lambda e: (fast_env(e), fast_payload(e["payload"])),
        "typed envelope + fastjsonschema payload": lambda e: (valid_envelope(e), fast_payload(e["payload"])),
        "typed envelope + typed payload": lambda e: (valid_envelope(e), typed_payload(e["payload"])),
    }
    typed_payload = fast_payload_check("hotline_12345")["ticket_created"]
    rates = {}
    for name, check in candidates.items():
        sample = events if "jsonschema D" not in name else events[: n // 10]
        started = time.monotonic()
        for event in sample:
            check(event)
        rates[name] = len(sample) / (time.monotonic() - started)
    return rates


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _print_ingestor(r: dict, events: int, label: str) -> None:
    print(f"(d) jixiao Ingestor ({label})  {r['steady']:>12,.0f} events/s steady  {r['overall']:>10,.0f} overall  "
          f"(landed {r['landed']:,}, dead {r['dead']:,}, dup {r['duplicates']:,}, {r['commits']} commits)")
    print(f"    consumer: group join {r['joined']:.1f}s, in poll {r['polling']:.1f}s, "
          f"waiting on the workers {r['blocked']:.1f}s, final commits {r['closing']:.1f}s of {r['seconds']:.1f}s; "
          f"CPU per event: consumer {r['cpu_consumer'] / events * 1e6:.1f} µs, landing workers "
          f"{r['cpu_workers'] / events * 1e6:.1f} µs (start-up included)")
    print(f"    max RSS: consumer process {r['rss_consumer_mib']:,.0f} MiB, largest landing worker "
          f"{r['rss_worker_mib']:,.0f} MiB", flush=True)


def backlog(cfg, n: int, distinct: int, partitions: int, workers: int | None) -> dict:
    """Worker memory under a backlog: ``n`` messages on ``partitions`` partitions produced by Kafka's Java
    ProducerPerformance from a payload file of ``distinct`` valid hotline events (each message a random line:
    re-sends are common, and every partition's dedup window fills once it has seen that many distinct ids), then
    one Ingestor run until caught up."""
    _recreate(cfg, partitions)
    payload = Path(cfg.home) / "payloads.jsonl"
    with open(payload, "wb") as handle:
        for i in range(distinct):
            handle.write(orjson.dumps(hotline_event(i)) + b"\n")
    started = time.monotonic()
    cmd = kafka_local.java_command("org.apache.kafka.tools.ProducerPerformance", [
        "--topic", TOPIC, "--num-records", str(n), "--payload-file", str(payload), "--throughput", "-1",
        "--producer-props", f"bootstrap.servers={cfg.bootstrap_servers}", "compression.type=lz4", "linger.ms=20",
        "batch.size=524288"], cfg, heap="1g")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise RuntimeError(f"ProducerPerformance failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    produced = time.monotonic() - started
    print(f"  produced {n:,} messages ({distinct:,} distinct events) in {produced:.0f}s "
          f"({n / produced:,.0f} msg/s, Java ProducerPerformance); {_load()}", flush=True)
    return ingestor(cfg, n, workers)


@click.command()
@click.option("--events", default=300_000, show_default=True, type=int)
@click.option("--partitions", default=3, show_default=True, type=int)
@click.option("--sample", default=20_000, show_default=True, type=int, help="Rows for the DuckDB INSERT loop.")
@click.option("--workers", "workers", multiple=True, type=int,
              help="Landing workers of (d); repeat to compare (default: the Ingestor's default, one per core).")
@click.option("--rounds", default=1, show_default=True, type=int, help="Repeat (a) and (d) alternately.")
@click.option("--members", "member_count", default=0, type=int,
              help="Also run this many members (one landing worker each) in one group, against one member.")
@click.option("--backlog", "backlog_n", default=0, type=int,
              help="Also measure the landing worker's memory under a backlog of this many messages (e.g. 10000000).")
@click.option("--backlog-partitions", default=33, show_default=True, type=int,
              help="Partitions of the backlog topic (33: the M world's 11 topics × 3, so each worker holds as many "
                   "dedup windows as there).")
def main(events: int, partitions: int, sample: int, workers: tuple[int, ...], rounds: int, member_count: int,
         backlog_n: int, backlog_partitions: int) -> None:
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
        print(f"  produced in {time.monotonic() - started:.1f}s; {_load()}")
        ratios = []
        for round_ in range(1, rounds + 1):
            a, a_overall = bare_poll(cfg, events)
            print(f"(a) bare kafka-python poll loop      {a:>12,.0f} events/s steady  {a_overall:>10,.0f} overall"
                  f"   [round {round_}, {_load()}]", flush=True)
            if round_ == 1:
                b_fetch, b = java_consumer_performance(cfg, events)
                print(f"(b) Java ConsumerPerformance         {b_fetch:>12,.0f} events/s fetch.nMsg.sec  {b:>10,.0f} "
                      f"nMsg.sec (with JVM start and rebalance)", flush=True)
                c = duckdb_row_inserts(sample)
                print(f"(c) DuckDB row-by-row INSERT ({sample:,}) {c:>9,.0f} events/s (extrapolated from the sample)",
                      flush=True)
            for count in workers or (None,):
                r = ingestor(cfg, events, count)
                _print_ingestor(r, events, f"{count or 'default'} worker(s)")
                d = r["steady"]
                ratios.append(d / a)
                print(f"d/a = {d / a:.2f} (target ≥ 0.8)   d/b = {d / b_fetch:.3f} vs fetch.nMsg.sec, {d / b:.3f} vs "
                      f"nMsg.sec (target ≥ 0.25)   d/c = {d / c:.0f} (target ≥ 200)", flush=True)
        if len(ratios) > 1:
            print(f"d/a over {len(ratios)} runs: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, "
                  f"max {max(ratios):.2f}")
        for name, rate in validators(20_000).items():
            print(f"validator {name:<42} {rate:>10,.0f} events/s")
        for round_ in range(1, rounds + 1) if member_count else ():
            one = group_rate(members(cfg, 1, 1))
            several = members(cfg, member_count, 1)
            both = group_rate(several)
            shares = ", ".join(f"{r['consumed']:,}" for r in several)
            print(f"members, one landing worker each [round {round_}, {_load()}]: 1 member {one:,.0f} events/s, "
                  f"{member_count} members {both:,.0f} events/s together (×{both / one:.2f}; consumed {shares})",
                  flush=True)
        if backlog_n:
            print(f"backlog: {backlog_n:,} messages to {TOPIC} ({backlog_partitions} partitions)…", flush=True)
            r = backlog(cfg, backlog_n, min(200_000, backlog_n), backlog_partitions, workers[0] if workers else None)
            _print_ingestor(r, backlog_n, f"{workers[0] if workers else 'default'} worker(s), backlog")
    finally:
        if started_broker:
            kafka_local.stop(cfg)


if __name__ == "__main__":
    main()
