"""Integrity risk over several simulated worlds: the model against the best single red flag, default and harder variant.

    python benchmarks/models/bench_integrity.py --scale S --seeds 4,5,6,7,8

Each world is simulated to JSON lines, checked with the ingestor's validator (malformed records dropped, as the
dead-letter store would take them) and read back with DuckDB into the staging columns (typed payload fields,
re-sent events deduplicated as staging does); then features → train on the
audit-confirmed tenders → score, and ``jixiao.evaluation.models.integrity_figures`` judges the unseen ring
tenders against the truth. Prints one row per world and the means, with feature, training and scoring times.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import click
import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.warehouse.bench_build import keep_valid  # noqa: E402
from jixiao.evaluation.models import integrity_figures  # noqa: E402
from jixiao.models import integrity, procurement  # noqa: E402
from jixiao.simulator.run import simulate  # noqa: E402
from jixiao.simulator.sinks import JsonlSink  # noqa: E402

STAGING = {
    ("procurement", "tender_published"): {"tender_id": "varchar", "ceiling_price": "double",
                                          "method as procurement_method": "varchar"},
    ("procurement", "bid"): {"tender_id": "varchar", "bidder_id": "varchar", "price as bid_price": "double"},
    ("procurement", "award"): {"tender_id": "varchar", "winner_id": "varchar", "price as award_price": "double"},
    ("audit", "finding"): {"tender_id": "varchar", "category": "varchar"},
}
"""Per source and event type: payload field [as staging column] → type."""


def staged(folder: Path, source: str, event_type: str) -> pd.DataFrame:
    """Events of one type with the staging model's columns (deduplicated on event_id)."""
    columns = []
    for field, kind in STAGING[source, event_type].items():
        name, _, alias = field.partition(" as ")
        columns.append(f"(payload ->> '$.{name}')::{kind} as {alias or name}")
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'Asia/Shanghai'")
        return con.execute(f"""
            select event_id, dept_code, occurred_at::timestamptz as occurred_at,
                   timezone('Asia/Shanghai', occurred_at::timestamptz) as occurred_at_local, {', '.join(columns)}
            from read_json('{folder}/jx.src.{source}.v1.jsonl', format = 'newline_delimited', ignore_errors = true,
                           columns = {{event_id: 'VARCHAR', event_type: 'VARCHAR', occurred_at: 'VARCHAR',
                                       dept_code: 'VARCHAR', payload: 'JSON'}})
            where event_type = '{event_type}' and event_id is not null and payload is not null
            qualify row_number() over (partition by event_id) = 1""").df()


def one_world(scale: str, seed: int, variant: str | None, months: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="jx-bench-integrity-") as tmp:
        folder, truth_path = Path(tmp) / "topics", Path(tmp) / "truth.json"
        simulate(JsonlSink(folder), scale=scale, seed=seed, months=months, truth_path=truth_path, progress=False,
                 variant=variant)
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        keep_valid(folder, Path(tmp) / "valid")
        frames = {key: staged(Path(tmp) / "valid", *key) for key in STAGING}
    started = time.monotonic()
    features = procurement.tender_features(frames["procurement", "tender_published"], frames["procurement", "bid"],
                                           frames["procurement", "award"])
    feature_s = time.monotonic() - started
    confirmed = procurement.confirmed_tenders(frames["audit", "finding"])
    started = time.monotonic()
    model, meta = integrity.train(features, confirmed)
    train_s = time.monotonic() - started
    started = time.monotonic()
    scored = integrity.score_tenders(model, features, confirmed)
    score_s = time.monotonic() - started
    departments = scored.groupby("dept_code", as_index=False)["risk_score"].mean().rename(
        columns={"risk_score": "dept_risk_score"})
    figures = integrity_figures(scored, departments, truth)
    return {"variant": variant or "default", "seed": seed, "tenders": len(features),
            "confirmed": meta["metrics"]["confirmed_tenders"], "unseen_ring": figures["unseen_ring_tenders"],
            "model_auc": figures["model_auc"], "detector_auc": figures["detector_auc"],
            "red_flag_auc": figures["red_flag_auc"],
            "best_flag": figures["best_flag"], "best_flag_auc": figures["best_flag_auc"],
            "precision_top5": figures["precision_top5"], "dept_auc": figures["dept_auc"],
            "features_s": round(feature_s, 2), "train_s": round(train_s, 2), "score_s": round(score_s, 2)}


@click.command()
@click.option("--scale", default="S", show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--seeds", default="4,5,6,7,8", show_default=True, help="Comma-separated simulator seeds.")
def main(scale: str, months: int, seeds: str) -> None:
    seeds = [int(s) for s in seeds.split(",")]
    rows = [one_world(scale, seed, variant, months) for variant in (None, "hard_procurement") for seed in seeds]
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    numeric = ["model_auc", "detector_auc", "red_flag_auc", "best_flag_auc", "precision_top5", "dept_auc"]
    print(table.groupby("variant")[numeric].mean().to_string(float_format=lambda v: f"{v:.4f}"))
    beats = (table["model_auc"] > table["best_flag_auc"]).groupby(table["variant"]).sum()
    print("worlds where the model beats the best single flag:", beats.to_dict(), "of", len(seeds), "each")


if __name__ == "__main__":
    main()
