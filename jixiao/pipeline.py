"""The main job end to end on the embedded defaults.

simulate → Kafka → land (the ingestor service, run until caught up) → the Airflow DAG
``jixiao_warehouse`` (dbt build → checks → reports), run once with ``airflow dags test``.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

from jixiao import contracts
import json
from pathlib import Path

from jixiao.ingestors.consumer import IngestStats, ingest
from jixiao.runtime import kafka_local
from jixiao.runtime.config import Settings, settings
from jixiao.orchestration import run_dag_once
from jixiao.simulator.run import simulate
from jixiao.simulator.sinks import KafkaSink

GENERATED = ("landing", "dead_letter", "warehouse", "marts", "reports", "simulator", "dbt", "checks", "airflow")
WAREHOUSE_DAG = "jixiao_warehouse"


@dataclass
class DemoResult:
    produced: dict[str, int]
    ingest: IngestStats
    dag_log: Path
    checks: list[dict]


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
    dag_log = run_dag_once(WAREHOUSE_DAG, cfg)  # dbt build → checks → reports, orchestrated by Airflow
    checks = json.loads((cfg.home / "checks" / "results.json").read_text(encoding="utf-8"))
    return DemoResult(produced, stats, dag_log, checks)
