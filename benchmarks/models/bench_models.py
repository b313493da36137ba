"""The learned models at scale: land simulated JSON lines (bulk path), build (models train on first use), retrain,
score — with the time of each, and the evaluation figures.

    jixiao simulate --scale M --months 12 --to jsonl DIR      # writes the truth to $JX_HOME/simulator/
    JX_HOME=... python benchmarks/models/bench_models.py DIR --months 12

Landing reuses ``benchmarks/warehouse/bench_build.py`` (contract-valid lines, DuckDB's bulk JSON reader, no
masking). The build's per-model times come from dbt's run_results.json; ``jixiao train`` is timed per model;
scoring is timed by calling each model's scoring function on the published warehouse's tables.
"""
from __future__ import annotations

import json
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


def timed(label: str, action):
    started = time.monotonic()
    result = action()
    print(f"{label:<44} {time.monotonic() - started:8.1f} s", flush=True)
    return result


def score_times(cfg) -> None:
    """Score every model with its current artefact on the published tables, timing each."""
    from jixiao.models import artefacts, integrity, lagging, text

    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        table = lambda name: con.execute(f"select * from {name}").df()  # noqa: E731
        features = table("intermediate.int_procurement__tender_features")
        confirmed = set(table("intermediate.int_audit__confirmed_tenders")["tender_id"])
        model = artefacts.load(integrity.NAME, cfg).model
        timed(f"score integrity ({len(features):,} tenders)", lambda: integrity.score_tenders(model, features, confirmed))
        posts, tickets = table("staging.stg_public_opinion__posts"), table("staging.stg_hotline_12345__tickets_created")
        reviews, departments = table("staging.stg_service_review__reviews"), table("marts.dim_department")
        sentiment = artefacts.load(text.SENTIMENT, cfg).model
        texts = len(posts) + len(tickets) + len(reviews)
        timed(f"score sentiment ({texts:,} texts)", lambda: text.sentiment_rows(sentiment, posts, tickets, reviews))
        topic, routing = artefacts.load(text.TOPIC, cfg), artefacts.load(text.ROUTING, cfg)
        timed(f"score topic + routing ({len(tickets):,} tickets)",
              lambda: text.routing_rows(topic, routing, tickets, departments))
        scores = table("marts.fct_dept_score")
        lag = artefacts.load(lagging.NAME, cfg).model
        timed(f"score lagging risk ({len(scores):,} department-months)", lambda: lagging.score(lag, scores))


@click.command()
@click.argument("jsonl_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--start", default="2026-01", show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--no-build", is_flag=True, help="Keep the warehouse already built in JX_HOME: retrain, score, evaluate.")
def main(jsonl_dir: Path, start: str, months: int, no_build: bool) -> None:
    from jixiao.evaluation.run import evaluate
    from jixiao.models.registry import train

    cfg = settings()
    if not no_build:
        land_and_build(cfg, jsonl_dir, start, months)
    for artefact in timed("jixiao train (all models)", lambda: train(cfg=cfg)):
        print(f"  train {artefact.name:<38} {artefact.meta['training_seconds']:8.1f} s  {artefact.meta['metrics']}")
    score_times(cfg)
    if (cfg.simulator_dir / "ground_truth.json").exists():
        for section in timed("jixiao evaluate", lambda: evaluate(cfg)):
            for figure in section.figures:
                print(f"  {figure.name}: {figure.value} {figure.aim or ''} {figure.note}")


def land_and_build(cfg, jsonl_dir: Path, start: str, months: int) -> None:
    """Validate and land the JSON lines (bulk path), then one full build; print the intelligence models' times."""
    from jixiao.pipeline import build

    year, month = map(int, start.split("-"))
    first = date(year, month, 1)
    end = date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1)
    valid = cfg.home / "valid"
    shutil.rmtree(valid, ignore_errors=True)
    timed("validate (contracts)", lambda: keep_valid(jsonl_dir, valid))
    rows = timed("land (bulk)", lambda: land(valid, cfg.landing_dir, first, end, "full", landed_hours_ago=24))
    shutil.rmtree(valid)
    print(f"landed {rows:,} events")
    summary = timed("build (first: models train on first use)", lambda: build(cfg))
    print("  steps: " + ", ".join(f"{k} {v:.0f} s" for k, v in summary.seconds.items()))
    results = json.loads((cfg.home / "dbt" / "target" / "run_results.json").read_text("utf-8"))["results"]
    for result in results:
        name = result["unique_id"].split(".")[-1]
        if result["unique_id"].startswith("model.") and name in INTELLIGENCE:
            print(f"  dbt {name:<40} {result['execution_time']:8.1f} s")


if __name__ == "__main__":
    main()
