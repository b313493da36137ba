"""The platform's jobs, composed from the stages: the warehouse build and the demo.

A build is a list of steps over one candidate warehouse file (see ``jixiao.warehouse.candidate``)::

    ledger (append + verify) → dbt build → docs → period closes → model versions → alerts (collect)
      → checks (the gate) → publish (atomic swap + Parquet marts) → reports

Every step before ``publish`` writes only the candidate; a blocking check failure stops the build
before ``publish``, so the published warehouse stays as it was. The CLI runs the steps in one process
(:func:`build`); the Airflow DAGs run one step per task (:func:`run_step`) under a pool of one slot.

This module stays cheap to import (the DAG files read ``BUILD_STEPS`` when Airflow parses them): import
stages inside the step functions, never at the top.
"""
from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from uuid import uuid4

from rich.console import Console

from jixiao.runtime.config import Settings, settings
from jixiao.runtime.processes import fewer_collections, helper_processes, native_threads, native_threads_per_node

if TYPE_CHECKING:
    from jixiao.warehouse import Candidate


class ChecksFailed(RuntimeError):
    """A blocking expectation failed on the candidate; nothing was published."""


class CandidateTaken(RuntimeError):
    """Another build started a new candidate between two steps of this one."""


class Progress:
    """Shows each step and its duration on the console; dbt's node lines as a running count."""

    def __init__(self, console: Console | None = None, nodes: bool = False):
        self.console = console or Console(stderr=True)
        self.show_nodes = nodes
        self.seconds: dict[str, float] = {}
        self.nodes = 0
        self._status = None

    @contextmanager
    def step(self, title: str):
        started = time.monotonic()
        with self.console.status(f"[bold]{title}[/] …") as status:
            self._status = status
            yield
        self._status = None
        self.seconds[title] = time.monotonic() - started
        self.console.print(f"[green]✓[/] {title} [dim]{self.seconds[title]:.1f} s[/]")

    def node(self, line: str) -> None:
        self.nodes += 1
        if self.show_nodes:
            self.console.print(line, markup=False, highlight=False)
        elif self._status is not None:
            self._status.update(f"[bold]dbt build[/] … {self.nodes} nodes done")


def _ledger(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.ledger import append_and_verify

    return append_and_verify(candidate.cfg, candidate.path)


def _dbt(candidate: Candidate, progress: Progress, select: list[str] | None = None) -> dict:
    from jixiao.models import registry, text  # loads scikit-learn's native pools, so the limit below reaches them
    from jixiao.warehouse import dbt_build, dbt_threads

    # Helpers for a full build; a selective one (a --follow cycle, a few nodes) trains, applies and scores here.
    untrained, nodes = [] if select else registry.untrained(candidate.cfg), dbt_threads()
    per_node = native_threads_per_node(nodes)
    with helper_processes(0 if select else nodes, warm=(registry.warm_helper,), native_limit=per_node), \
            text.corpus_tokens_ahead(wanted=text.SENTIMENT in untrained), native_threads(per_node):
        dbt_build(candidate, select=select, on_node=progress.node)
    return {"nodes": progress.nodes, "select": select}


def _docs(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.warehouse import dbt_docs

    generated = dbt_docs(candidate)
    return {"docs": str(candidate.cfg.home / "dbt" / "target" / "static_index.html"), "generated": generated}


def _closes(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.period_close import load_closes

    with candidate.connect() as con:
        return load_closes(con, candidate.cfg)


def _model_versions(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.models.retraining import load_model_versions

    with candidate.connect() as con:
        return load_model_versions(con, candidate.cfg)


def _alerts(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.alerts import collect_alerts

    with candidate.connect() as con:
        return collect_alerts(con)


def _checks(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.expectations.checks import run_checks

    report = run_checks(candidate.cfg, database=candidate.path, record=True)
    if report.blocking_failures:
        raise ChecksFailed(f"blocking checks failed on the candidate, nothing published: {report.describe_blocking()}"
                           f" — see {report.docs}")
    return {"suites": len(report.results), "failed": sum(not r.success for r in report.results), "docs": str(report.docs)}


def _publish(candidate: Candidate, progress: Progress) -> dict:
    return {"marts": candidate.publish(), "warehouse": str(candidate.cfg.warehouse_path)}


def _reports(candidate: Candidate, progress: Progress) -> dict:
    from jixiao.reports.render import render_site

    site = render_site(candidate.cfg)
    return {"index": str(site.index), "pages": site.pages, "periods": site.periods}


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: Callable[[Candidate, Progress], dict]


BUILD_STEPS: tuple[Step, ...] = (
    Step("ledger", "ledger (append + verify)", _ledger),
    Step("dbt", "dbt build", _dbt),
    Step("docs", "dbt docs", _docs),
    Step("closes", "period closes", _closes),
    Step("model_versions", "model versions", _model_versions),
    Step("alerts", "alerts (collect)", _alerts),  # after every step writing an alert mart, before the gate
    Step("checks", "checks (gate)", _checks),
    Step("publish", "publish", _publish),
    Step("reports", "reports", _reports),
)
STEP_NAMES = tuple(step.name for step in BUILD_STEPS)


@dataclass
class BuildSummary:
    steps: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _run(step: Step, candidate: Candidate, progress: Progress, summary: BuildSummary) -> None:
    with progress.step(step.title):
        summary.steps[step.name] = step.run(candidate, progress)
    summary.seconds[step.name] = progress.seconds[step.title]


def _claim_file(candidate: Candidate) -> Path:
    return candidate.path.with_name("candidate.build")


def _claim(candidate: Candidate, build_id: str) -> None:
    """Start a fresh candidate owned by ``build_id``."""
    candidate.start()
    _claim_file(candidate).write_text(build_id, encoding="utf-8")


def _check_claim(candidate: Candidate, build_id: str) -> None:
    owner = _claim_file(candidate).read_text(encoding="utf-8") if _claim_file(candidate).exists() else None
    if owner != build_id:
        raise CandidateTaken(f"the candidate now belongs to build {owner!r}, not {build_id!r}: another build started "
                             "meanwhile; run this build again from its first step")


def build(cfg: Settings | None = None, progress: Progress | None = None,
          skip: tuple[str, ...] = (), select: list[str] | None = None) -> BuildSummary:
    """Run every build step on a fresh candidate; raise BuildError / ChecksFailed before publishing on failure.

    ``select`` (dbt selectors) limits the dbt step to those nodes; the candidate is a copy of the published
    warehouse, so every other table stays as published (continuous mode selects the sources that changed)."""
    from jixiao.warehouse import build_lock

    cfg = cfg or settings()
    progress = progress or Progress()
    summary = BuildSummary()
    with build_lock(cfg) as candidate, fewer_collections():
        _claim(candidate, f"build/{uuid4()}")
        for step in BUILD_STEPS:
            if step.name in skip:
                continue
            if step.name == "dbt" and select:
                step = replace(step, run=partial(_dbt, select=select))
            _run(step, candidate, progress, summary)
    return summary


def run_step(name: str, cfg: Settings | None = None, progress: Progress | None = None,
             build_id: str | None = None, start: bool | None = None) -> dict:
    """Run one build step (an Airflow task); the first step (or any, with ``start``) starts a fresh candidate.

    With a ``build_id``, a step that does not start the candidate first checks it is still that build's.
    """
    from jixiao.warehouse import build_lock

    cfg = cfg or settings()
    step = next((s for s in BUILD_STEPS if s.name == name), None)
    if step is None:
        raise ValueError(f"unknown build step {name!r}; steps: {', '.join(STEP_NAMES)}")
    summary = BuildSummary()
    with build_lock(cfg) as candidate, fewer_collections():
        if start or (start is None and name == STEP_NAMES[0]):
            _claim(candidate, build_id or f"step/{uuid4()}")
        elif build_id:
            _check_claim(candidate, build_id)
        _run(step, candidate, progress or Progress(), summary)
    return summary.steps[name]


GENERATED = ("landing", "dead_letter", "warehouse", "marts", "reports", "simulator", "dbt", "checks", "airflow",
             "alerts", "closes", "ledger", "continuous")


@dataclass
class DemoResult:
    produced: dict[str, int]
    ingest: object
    dag_seconds: float
    checks: list[dict]
    reports: object


def reset(cfg: Settings) -> None:
    """Remove everything a previous run generated, the broker's data included (it must be stopped)."""
    for name in GENERATED:
        shutil.rmtree(cfg.home / name, ignore_errors=True)
    shutil.rmtree(cfg.kafka_dir, ignore_errors=True)


def demo(scale: str = "S", seed: int = 7, start: str = "2026-01", months: int = 12,
         keep_kafka: bool = False, cfg: Settings | None = None, progress: bool = True) -> DemoResult:
    """Run a fresh province through the whole platform; stop the broker afterwards unless ``keep_kafka``.

    simulate → Kafka → land (the ingestor service, run until caught up) → one run of the Airflow DAG
    ``jixiao_pipeline`` in this process, each task shown as it starts and ends (the broker stays up for the
    ledger's anchors and the alert delivery) → a few department PDFs and the browser check of the report site.
    """
    from jixiao import contracts
    from jixiao.ingestors.consumer import ingest
    from jixiao.orchestration import PIPELINE_DAG, run_dag
    from jixiao.reports.pdf import demo_extras
    from jixiao.runtime import kafka_local
    from jixiao.simulator.run import simulate
    from jixiao.simulator.sinks import KafkaSink

    cfg = cfg or settings()
    kafka_local.stop(cfg)
    reset(cfg)
    kafka_local.start(cfg)
    try:
        produced = simulate(KafkaSink(cfg), scale=scale, seed=seed, start=start, months=months, progress=progress)
        stats = ingest(list(contracts.SOURCES), cfg=cfg, progress=progress)
        started = time.monotonic()
        run_dag(PIPELINE_DAG, cfg)
        dag_seconds = time.monotonic() - started
    finally:
        if not keep_kafka:
            kafka_local.stop(cfg)
    checks = json.loads((cfg.home / "checks" / "results.json").read_text(encoding="utf-8"))
    return DemoResult(produced, stats, dag_seconds, checks, demo_extras(cfg))
