"""The models as the retraining DAG's trainers: train into a candidate folder, report gate metrics; a promoted
candidate (current.json) is what inference loads, and a stale one is refused like any other artefact."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from jixiao.models import TRAINERS, artefacts, lagging
from jixiao.models.artefacts import StaleArtefact
from jixiao.runtime.config import settings


@pytest.fixture
def warehouse(jx_home):
    """A published warehouse holding only marts.fct_dept_score: ten departments over eight months."""
    rows = [{"dept_code": f"D{d}", "period": f"2026-{m:02d}", "overall_score": 45.0 + 4 * d + 3 * ((d + m) % 3),
             **{c: 70.0 for c in lagging.DIMENSIONS}, "rank_in_peer_group": 1 + d % 5, "n_scored_in_peer_group": 5, "period_type": "month"}
            for d in range(10) for m in range(1, 9)]
    cfg = settings()
    cfg.warehouse_dir.mkdir(parents=True)
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        con.execute("create schema marts")
        con.register("scores", pd.DataFrame(rows))
        con.execute("create table marts.fct_dept_score as select * from scores")
    return cfg


def test_every_model_is_a_trainer_with_a_gate():
    assert sorted(TRAINERS) == ["integrity", "lagging", "sentiment", "ticket_routing", "ticket_topic"]
    assert all(t.gate and 0 <= t.tolerance < 1 for t in TRAINERS.values())


def test_a_trained_candidate_reports_its_gate_metrics_and_once_promoted_is_loaded(warehouse, tmp_path):
    trainer = TRAINERS["lagging"]
    candidate = warehouse.home / "models" / "lagging" / "candidates" / "v-test"
    candidate.mkdir(parents=True)
    metrics = trainer.train(warehouse, candidate)
    assert set(trainer.gate) <= set(metrics) and all(isinstance(v, float) for v in metrics.values())
    assert (candidate / "model.joblib").exists()
    assert json.loads((candidate / "meta.json").read_text("utf-8"))["training_window"]["last_period"] == "2026-08"
    (candidate.parent.parent / "current.json").write_text(json.dumps({"path": str(candidate)}), encoding="utf-8")
    loaded = artefacts.load("lagging")
    assert loaded.meta["libraries"]["scikit-learn"] and artefacts.current_folder("lagging") == candidate

    meta = json.loads((candidate / "meta.json").read_text("utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (candidate / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StaleArtefact, match="jixiao train"):
        artefacts.load("lagging")
