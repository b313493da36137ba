"""End to end at one scale: time per stage and peak memory, simulation excluded from the total.

    python -m benchmarks.endtoend.bench_endtoend --scale M [--seed 7] [--months 12] [--home DIR]

A fresh platform instance in ``--home`` (default: a temporary folder, removed afterwards) with its own broker on
JX_KAFKA_PORT / JX_KAFKA_CONTROLLER_PORT (which must be free):

1. simulate the province into Kafka (timed, not counted: it stands for the source systems);
2. ingest until caught up (the ingestor service: consumer + landing workers, exactly once);
3. one build, step by step (``jixiao build``: ledger, dbt build with its tests and the scoring models, dbt docs,
   period closes, model versions, alerts, checks (the gate), publish, reports).

Prints seconds per stage, the scoring models' share of the dbt build (from dbt's log), the end-to-end total
(ingest + build), the build against the hand-written one-pass floor over the same landing zone
(``benchmarks/warehouse/bench_build.py``), and peak resident memory: this process (consumer, dbt, scoring, reports), the largest landing
worker, the broker, and the largest sum over all of them at once (sampled every 0.5 s).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import psutil

SCORING_MODELS = ("fct_dept_score_contribution", "fct_dept_score", "fct_dept_tier", "fct_dept_portrait")


class MemorySampler(threading.Thread):
    """Peak RSS (MiB) of the broker and of everything together (this process, its children, the broker)."""

    def __init__(self, home: Path, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.home, self.interval, self.stopped = str(home), interval, threading.Event()
        self.peak_total = self.peak_broker = 0.0

    def run(self) -> None:
        me = psutil.Process()
        while not self.stopped.wait(self.interval):
            brokers = {p.pid: p for p in psutil.process_iter(["cmdline"])
                       if "kafka.Kafka" in (p.info["cmdline"] or []) and any(self.home in a for a in p.info["cmdline"])}
            processes = {p.pid: p for p in [me, *me.children(recursive=True)]} | brokers
            total = broker = 0.0
            for pid, process in processes.items():
                try:
                    rss = process.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                total += rss
                broker += rss if pid in brokers else 0.0
            self.peak_total, self.peak_broker = max(self.peak_total, total), max(self.peak_broker, broker)


def timed(label: str, seconds: dict, action):
    started = time.monotonic()
    result = action()
    seconds[label] = time.monotonic() - started
    print(f"{label:<44} {seconds[label]:8.1f} s", flush=True)
    return result


@click.command()
@click.option("--scale", default="M", show_default=True, type=click.Choice(["XS", "S", "M", "L"]))
@click.option("--seed", default=7, show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path),
              help="JX_HOME of the run (kept afterwards); default: a temporary folder, removed afterwards.")
def main(scale: str, seed: int, months: int, home: Path | None) -> None:
    keep = home is not None
    home = home or Path(tempfile.mkdtemp(prefix="jx-e2e-"))
    os.environ["JX_HOME"] = str(home)
    from benchmarks.models.bench_models import dbt_model_seconds
    from benchmarks.warehouse.bench_build import floor_seconds
    from jixiao import contracts
    from jixiao.ingestors.consumer import ingest
    from jixiao.pipeline import build, reset
    from jixiao.runtime import kafka_local
    from jixiao.runtime.config import settings
    from jixiao.runtime.processes import peak_rss_mib
    from jixiao.simulator.run import simulate
    from jixiao.simulator.sinks import KafkaSink

    cfg = settings()
    reset(cfg)
    sampler = MemorySampler(home)
    kafka_local.start(cfg)
    sampler.start()
    seconds: dict[str, float] = {}
    try:
        produced = timed("simulate → Kafka (not counted)", seconds,
                         lambda: simulate(KafkaSink(cfg), scale=scale, seed=seed, months=months, progress=False))
        stats = timed("ingest (until caught up)", seconds,
                      lambda: ingest(list(contracts.SOURCES), cfg=cfg, progress=False))
        summary = timed("build (all steps)", seconds, lambda: build(cfg))
    finally:
        sampler.stopped.set()
        sampler.join()
        kafka_local.stop(cfg)
    floor, floor_rows = timed("floor (one SQL pass)", seconds, lambda: floor_seconds(cfg.landing_dir))
    models = dbt_model_seconds(cfg.home)
    total = seconds["ingest (until caught up)"] + seconds["build (all steps)"]

    print(f"\n{scale}, seed {seed}, {months} months: produced {sum(produced.values()):,} events, "
          f"landed {stats.landed:,}, dead letters {stats.dead:,}, duplicates dropped {stats.duplicates:,}")
    print(f"{'stage':<44} {'seconds':>8}")
    print(f"{'ingest':<44} {seconds['ingest (until caught up)']:8.1f}   "
          f"({stats.landed / max(stats.seconds, 1e-9):,.0f} events/s)")
    for name, value in summary.seconds.items():
        print(f"{'build: ' + name:<44} {value:8.1f}")
    for name in SCORING_MODELS:
        if name in models:
            print(f"{'  dbt model ' + name:<44} {models[name]:8.1f}   (inside the dbt build)")
    aim = f"   aim ≤ 300 s at M: {'met' if total <= 300 else 'missed'}" if scale == "M" else ""
    print(f"{'end to end (ingest + build)':<44} {total:8.1f}{aim}")
    print(f"{'floor (one SQL pass, ' + format(floor_rows, ',') + ' rows)':<44} {floor:8.1f}   build / floor "
          f"{seconds['build (all steps)'] / floor:.1f}×, dbt / floor {summary.seconds.get('dbt', 0.0) / floor:.1f}×")
    print(f"peak RSS: this process {peak_rss_mib():,.0f} MiB, largest landing worker "
          f"{stats.worker_peak_rss_mib:,.0f} MiB, broker {sampler.peak_broker:,.0f} MiB, "
          f"all together {sampler.peak_total:,.0f} MiB (sampled every {sampler.interval} s)")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
