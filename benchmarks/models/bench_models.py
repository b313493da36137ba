"""The learned models at scale: land simulated JSON lines (bulk path), build (models train on first use), retrain,
score — with the time of each, and the evaluation figures.

    jixiao simulate --scale M --months 12 --to jsonl DIR      # writes the truth to $JX_HOME/simulator/
    JX_HOME=... python benchmarks/models/bench_models.py DIR --months 12

Landing reuses ``benchmarks/warehouse/bench_build.py`` (contract-valid lines, DuckDB's bulk JSON reader, no
masking). The build's per-model times come from dbt's run_results.json; ``jixiao train`` is timed per model;
training and scoring are timed model by model on the published warehouse's tables (or ``--warehouse FILE``).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import click
import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.warehouse.bench_build import keep_valid, land  # noqa: E402
from jixiao.runtime.config import settings  # noqa: E402

INTELLIGENCE = ("int_procurement__tender_features", "int_audit__confirmed_tenders", "int_text__sentiment",
                "int_public_opinion__negative_opinion_rate", "fct_tender_risk", "fct_dept_integrity_risk",
                "fct_ticket_routing", "fct_dept_opinion_monthly", "fct_dept_lagging_risk", "fct_model_alert")


MODEL_DONE = re.compile(r"OK created \w+ \w+ model \w+\.(\w+) .*? in ([\d.]+)s")
"""A model's result line in dbt.log (``dbt docs`` rewrites run_results.json, the log keeps the build's times)."""


def dbt_model_seconds(home: Path) -> dict[str, float]:
    """Seconds of each dbt model in the home's dbt.log (the last build wins)."""
    log = (home / "dbt" / "logs" / "dbt.log").read_text("utf-8", errors="replace")
    return {m.group(1): float(m.group(2)) for m in MODEL_DONE.finditer(log)}


def timed(label: str, action):
    """Run ``action``, print its wall-clock and CPU seconds (CPU: this process, all threads)."""
    started, cpu = time.monotonic(), time.process_time()
    result = action()
    print(f"{label:<48} {time.monotonic() - started:8.1f} s wall {time.process_time() - cpu:8.1f} s CPU", flush=True)
    return result


def train_and_score(cfg, con) -> dict:
    """Train every model whose tables are in ``con`` (timed) and score with it (timed); return the scored tenders."""
    from jixiao.models import build, integrity, lagging, text
    from jixiao.models.registry import SPECS, fit, read_frames

    present = {f"{schema}.{name}" for schema, name in con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}
    out = {}
    for name, spec in SPECS.items():
        missing = [r for r in spec.relations if r not in present]
        if missing:
            print(f"skip {name}: {', '.join(missing)} not built")
            continue
        frames = timed(f"read {name} inputs", lambda: read_frames(con, spec.relations))
        artefact = timed(f"train {name}", lambda: fit(name, frames, cfg))
        print(f"  {artefact.meta['metrics']}")
        if name == integrity.NAME:
            features = frames["int_procurement__tender_features"]
            confirmed = set(frames["int_audit__confirmed_tenders"]["tender_id"])
            out["tenders"] = timed(f"score integrity ({len(features):,} tenders)",
                                   lambda: integrity.score_tenders(artefact.model, features, confirmed))
        elif name == text.SENTIMENT:
            relations = [con.table(r) for r in ("staging.stg_public_opinion__posts",
                                                "staging.stg_hotline_12345__tickets_created",
                                                "staging.stg_service_review__reviews")]
            texts = sum(len(r) for r in relations)
            timed(f"score sentiment ({texts:,} texts)",
                  lambda: build.text_sentiment(con, *relations).to_arrow_table())
        elif name == text.ROUTING:
            tickets, departments = con.table("staging.stg_hotline_12345__tickets_created"), con.table("marts.dim_department")
            timed(f"score topic + routing ({len(tickets):,} tickets)",
                  lambda: build.ticket_routing(con, tickets, departments).to_arrow_table())
        elif name == lagging.NAME:
            scores = frames["fct_dept_score"]
            timed(f"score lagging risk ({len(scores):,} department-months)", lambda: lagging.score(artefact.model, scores))
    return out


@click.command()
@click.argument("jsonl_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--start", default="2026-01", show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--no-build", is_flag=True, help="Do not land and build; use the warehouse already in JX_HOME.")
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Train and score from this DuckDB file (e.g. an unpublished candidate) instead of the published one.")
def main(jsonl_dir: Path, start: str, months: int, no_build: bool, warehouse: Path | None) -> None:
    from jixiao.evaluation.models import integrity_figures

    cfg = settings()
    if not no_build:
        land_and_build(cfg, jsonl_dir, start, months)
    with duckdb.connect(str(warehouse or cfg.warehouse_path), read_only=True) as con:
        out = train_and_score(cfg, con)
    truth_path = cfg.simulator_dir / "ground_truth.json"
    if "tenders" in out and truth_path.exists():
        tenders = out["tenders"]
        departments = tenders.groupby("dept_code", as_index=False)["risk_score"].mean().rename(
            columns={"risk_score": "dept_risk_score"})
        figures = integrity_figures(tenders, departments, json.loads(truth_path.read_text("utf-8")))
        print("integrity against the truth:", {k: v for k, v in figures.items() if k != "flag_aucs"})


def land_and_build(cfg, jsonl_dir: Path, start: str, months: int) -> None:
    """Validate and land the JSON lines (bulk path), then one full build; print the intelligence models' times."""
    from jixiao.pipeline import build

    year, month = map(int, start.split("-"))
    first = date(year, month, 1)
    end = date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1)
    valid = cfg.home / "valid"
    shutil.rmtree(valid, ignore_errors=True)
    timed("validate (contracts)", lambda: keep_valid(jsonl_dir, valid))
    rows = sum(timed("land (bulk)", lambda: land(valid, cfg.landing_dir, first, end, "full",
                                                  landed_hours_ago=24)).values())
    shutil.rmtree(valid)
    print(f"landed {rows:,} events")
    summary = timed("build (first: models train on first use)", lambda: build(cfg))
    print("  steps: " + ", ".join(f"{k} {v:.0f} s" for k, v in summary.seconds.items()))
    seconds = dbt_model_seconds(cfg.home)
    for name in INTELLIGENCE:
        print(f"  dbt {name:<40} {seconds.get(name, float('nan')):8.1f} s wall")


if __name__ == "__main__":
    main()
