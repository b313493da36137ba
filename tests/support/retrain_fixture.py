"""A real, small model for the retraining DAG's tests (the platform's own models come from jixiao.models).

It predicts a department's overall score from its dimension scores in the published ``marts.fct_dept_score``
with a ridge regression, validated on the last three months (time-ordered), so its R² is a real held-out
figure: about 0.8 with the five dimensions, about 0 with the growth dimension alone.
"""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import duckdb
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score

DIMENSIONS = ["mission_score", "strategy_score", "public_score", "process_score", "growth_score"]


class OverallScoreModel:
    name = "overall_from_dimensions"
    gate = {"r2": 0.5}
    tolerance = 0.02

    def __init__(self, features: list[str]):
        self.features = features

    def train(self, cfg, out_dir: Path) -> dict[str, float]:
        columns = ", ".join(self.features)
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            frame = con.execute(f"select period, overall_score, {columns} from marts.fct_dept_score "
                                f"where period_type = 'month' and overall_score is not null and "
                                f"{' and '.join(f'{c} is not null' for c in self.features)}").df()
        held_out = sorted(frame.period.unique())[-3:]
        train, test = frame[~frame.period.isin(held_out)], frame[frame.period.isin(held_out)]
        model = Ridge().fit(train[self.features], train.overall_score)
        r2 = r2_score(test.overall_score, model.predict(test[self.features]))
        (out_dir / "model.pkl").write_bytes(pickle.dumps(model))
        (out_dir / "model.json").write_text(json.dumps({"features": self.features, "held_out": held_out}))
        return {"r2": r2, "train_rows": len(train), "test_rows": len(test)}


TRAINERS = {OverallScoreModel.name: OverallScoreModel(DIMENSIONS)}
WORSE = {OverallScoreModel.name: OverallScoreModel(["growth_score"])}
"""The same model on one weak feature: a candidate the gate must refuse."""
