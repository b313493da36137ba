"""The main job end to end on the embedded defaults: simulate → Kafka → land → dbt → reports."""
from __future__ import annotations

import shutil
from dataclasses import dataclass

import contracts
from ingestors.consumer import IngestStats, ingest
from jixiao import kafka_local, warehouse
from jixiao.config import Settings, settings
from reports.render import render_index
from simulator.run import simulate
from simulator.sinks import KafkaSink

GENERATED = ("landing", "dead_letter", "warehouse", "marts", "reports", "simulator", "dbt")


@dataclass
class DemoResult:
    produced: dict[str, int]
    ingest: IngestStats
    build: warehouse.BuildResult
    report: str


def reset(cfg: Settings) -> None:
    """Remove everything a previous run generated, the broker's data included (it must be stopped)."""
    for name in GENERATED:
        shutil.rmtree(cfg.home / name, ignore_errors=True)
    shutil.rmtree(cfg.kafka_dir, ignore_errors=True)


def demo(scale: str = "S", seed: int = 7, start: str = "2026-01", months: int = 12,
         keep_kafka: bool = False, cfg: Settings | None = None, progress: bool = True) -> DemoResult:
    """Run a fresh province through the whole platform; stop the broker afterwards unless ``keep_kafka``."""
    cfg = cfg or settings()
    kafka_local.stop(cfg)
    reset(cfg)
    kafka_local.start(cfg)
    try:
        produced = simulate(KafkaSink(cfg), scale=scale, seed=seed, start=start, months=months, progress=progress)
        stats = ingest(list(contracts.SOURCES), cfg=cfg, progress=progress)
    finally:
        if not keep_kafka:
            kafka_local.stop(cfg)
    built = warehouse.build(cfg)
    report = render_index(cfg)
    return DemoResult(produced, stats, built, str(report))
