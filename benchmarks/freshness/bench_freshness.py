"""Freshness benchmark: how long from producing an event until it is visible in the published warehouse, with
``jixiao run --follow`` keeping it fresh, at a steady 1,000 events/s.

    python -m benchmarks.freshness.bench_freshness [--rate 1000] [--seconds 180] [--scale XS] [--interval 2]

1. A fresh platform instance in a temporary JX_HOME with its own broker on JX_KAFKA_PORT (which must be free):
   ``jixiao simulate --scale XS`` (a year of a two-city province: reference data and a history), then
   ``jixiao run --once`` (ingest until caught up, one build, published).
2. ``jixiao run --follow --interval 2`` as a child process.
3. A producer sends marked 12345 tickets (``ticket_created``, event ids ``hotline_12345-fresh-<n>``, departments
   taken from the published tickets, business time now) at a steady ``--rate`` for ``--seconds``, recording the
   wall-clock time of each send.
4. A poller opens the published warehouse read-only every 0.5 s and records when each marked event first shows in
   ``staging.stg_hotline_12345__tickets_created`` (published by the same atomic swap as the marts).
5. After the last send, it waits until every marked event is visible (or ``--drain`` seconds), stops the run with
   SIGTERM and prints event → visible p50/p95/p99/max beside the build cycles of the window
   (``$JX_HOME/continuous/cycles.jsonl``) and the machine's load (``uptime``).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import duckdb
import orjson

from jixiao import contracts
from jixiao.runtime import kafka_client, kafka_local
from jixiao.runtime.config import REPO_ROOT, settings

HOTLINE = "hotline_12345"
TOPIC = contracts.topic(HOTLINE)
MARK = f"{HOTLINE}-fresh-"
SHANGHAI = timezone(timedelta(hours=8))
POLL_SECONDS = 0.5


def _jixiao(*args: str, log: Path | None = None, wait: bool = True) -> subprocess.Popen:
    """``jixiao …`` in a child process with this process's environment (JX_HOME, ports)."""
    out = open(log, "ab") if log else None
    process = subprocess.Popen([sys.executable, "-m", "jixiao.cli", *args], cwd=REPO_ROOT,
                               stdout=out, stderr=subprocess.STDOUT if out else None)
    if wait:
        if process.wait() != 0:
            raise SystemExit(f"jixiao {' '.join(args)} failed (exit {process.returncode})"
                             + (f"; see {log}" if log else ""))
    return process


def _departments(cfg) -> list[str]:
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return [d for (d,) in con.execute("select distinct dept_code from staging.stg_hotline_12345__tickets_created "
                                          "order by 1").fetchall()]


def produce(cfg, rate: float, seconds: float, departments: list[str], sent: dict[str, float]) -> None:
    """Marked tickets at a steady ``rate``, in steps of 10 ms; the send time of each in ``sent``."""
    producer = kafka_client.producer(cfg, linger_ms=5)
    total, step = int(rate * seconds), 0.01
    started = time.monotonic()
    try:
        for n in range(total):
            if n % max(1, int(rate * step)) == 0:
                time.sleep(max(0.0, started + n / rate - time.monotonic()))
            dept = departments[n % len(departments)]
            event = {"event_id": f"{MARK}{n:09d}", "source": HOTLINE, "event_type": "ticket_created",
                     "occurred_at": datetime.now(SHANGHAI).isoformat(), "dept_code": dept, "schema_version": 1,
                     "payload": {"ticket_id": f"FRESH{n:09d}", "category": "市政设施", "text": "小区路灯不亮，请尽快修复",
                                 "assigned_dept": dept}}
            sent[event["event_id"]] = time.time()
            producer.send(TOPIC, key=dept.encode(), value=orjson.dumps(event))
        producer.flush()
    finally:
        producer.close()


class Poller(threading.Thread):
    """Opens the published warehouse read-only every POLL_SECONDS; the first time each marked event was seen."""

    def __init__(self, cfg):
        super().__init__(daemon=True)
        self.cfg = cfg
        self.seen: dict[str, float] = {}
        self.done = threading.Event()
        self._count = 0

    def run(self) -> None:
        while not self.done.is_set():
            started = time.time()
            try:
                with duckdb.connect(str(self.cfg.warehouse_path), read_only=True) as con:
                    query = f"from staging.stg_hotline_12345__tickets_created where event_id like '{MARK}%'"
                    count = con.execute(f"select count(*) {query}").fetchone()[0]
                    if count != self._count:
                        for (event_id,) in con.execute(f"select event_id {query}").fetchall():
                            self.seen.setdefault(event_id, started)
                        self._count = count
            except duckdb.Error:
                pass  # between the swap and the read: the next poll sees it
            self.done.wait(max(0.0, started + POLL_SECONDS - time.time()))


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


@click.command()
@click.option("--rate", default=1000.0, show_default=True, help="Marked events produced per second.")
@click.option("--seconds", default=180.0, show_default=True, help="How long the producer runs.")
@click.option("--scale", default="XS", show_default=True, help="The simulated world under the marked events.")
@click.option("--interval", default=2.0, show_default=True, help="jixiao run --follow --interval.")
@click.option("--drain", default=600.0, show_default=True, help="Longest wait after the last send.")
@click.option("--keep", is_flag=True, help="Keep the temporary JX_HOME (printed) for inspection.")
def main(rate: float, seconds: float, scale: str, interval: float, drain: float, keep: bool) -> None:
    home = Path(tempfile.mkdtemp(prefix="jx-freshness-"))
    os.environ["JX_HOME"] = str(home)
    os.environ.pop("JX_KAFKA_DIR", None)
    cfg = settings()
    log = home / "bench.log"
    load_before = _uptime()
    kafka_local.start(cfg)  # fails when the port is taken: set JX_KAFKA_PORT / JX_KAFKA_CONTROLLER_PORT
    follow = None
    try:
        t0 = time.monotonic()
        _jixiao("simulate", "--scale", scale, "--seed", "7", log=log)
        simulated = time.monotonic() - t0
        t0 = time.monotonic()
        _jixiao("run", "--once", log=log)
        first_build = time.monotonic() - t0
        departments = _departments(cfg)
        print(f"world: simulate --scale {scale} {simulated:.0f} s · run --once (ingest + first build) "
              f"{first_build:.0f} s · {len(departments)} departments with tickets · JX_HOME {home}")

        follow = _jixiao("run", "--follow", "--interval", str(interval), log=log, wait=False)
        poller = Poller(cfg)
        poller.start()
        sent: dict[str, float] = {}
        time.sleep(5)  # the ingestor joins its group
        produce_started = time.time()
        produce(cfg, rate, seconds, departments, sent)
        produce_ended = time.time()
        deadline = time.monotonic() + drain
        while len(poller.seen) < len(sent) and time.monotonic() < deadline and follow.poll() is None:
            time.sleep(1)
        poller.done.set()
        poller.join()
        load_after = _uptime()
    finally:
        if follow is not None and follow.poll() is None:
            follow.send_signal(signal.SIGTERM)
            follow.wait(timeout=300)
        kafka_local.stop(cfg)

    latencies = sorted(poller.seen[e] - t for e, t in sent.items() if e in poller.seen)
    cycles = [json.loads(line) for line in (home / "continuous" / "cycles.jsonl").read_text().splitlines()]
    window = [c for c in cycles if c["started_at"] + c["seconds"] >= produce_started]
    print(f"produced {len(sent):,} marked events in {produce_ended - produce_started:.1f} s "
          f"({len(sent) / (produce_ended - produce_started):,.0f}/s); visible {len(latencies):,}; "
          f"jixiao run --follow exit {follow.returncode}")
    if latencies:
        print(f"event → visible (s): p50 {_percentile(latencies, 50):.1f} · p95 {_percentile(latencies, 95):.1f} · "
              f"p99 {_percentile(latencies, 99):.1f} · max {latencies[-1]:.1f} · min {latencies[0]:.1f}")
    print(f"build cycles overlapping the producer: {len(window)}")
    print(f"{'cycle':>5} {'records':>9} {'build s':>8} {'dbt s':>6} {'docs s':>6} {'checks s':>8} published")
    for c in window:
        print(f"{c['number']:>5} {sum(c['changed'].values()):>9,} {c['seconds']:>8.1f} {c['steps'].get('dbt', 0):>6.1f} "
              f"{c['steps'].get('docs', 0):>6.1f} {c['steps'].get('checks', 0):>8.1f} "
              f"{'yes' if c['published'] else 'no: ' + str(c['reason'])}")
    if window:
        builds = [c["seconds"] for c in window]
        print(f"build s: mean {statistics.mean(builds):.1f} · min {min(builds):.1f} · max {max(builds):.1f}")
    print(f"load before: {load_before}\nload after:  {load_after}")
    if keep:
        print(f"kept {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
