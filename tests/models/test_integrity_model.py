"""The integrity model on synthetic feature tables: explanations, the detector fallback, the 5 % flag."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from jixiao.models import integrity
from jixiao.models.procurement import FEATURES


def _features(n: int = 400, rigged: int = 30, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.random(n) * 0.1 for name in FEATURES})
    frame["award_to_ceiling"] = rng.uniform(0.78, 0.97, n)
    frame["n_bidders"] = rng.integers(1, 8, n).astype(float)
    frame.loc[: rigged - 1, "award_to_ceiling"] = rng.uniform(0.975, 0.995, rigged)
    frame.loc[: rigged - 1, "pair_cobids_max"] = rng.integers(5, 12, rigged)
    frame.loc[: rigged - 1, "reciprocal_wins"] = 1.0
    frame["tender_id"] = [f"T{i:04d}" for i in range(n)]
    frame["period"] = "2026-05"
    return frame


def test_the_supervised_model_learns_from_confirmed_tenders_and_explains_its_flags():
    features = _features()
    confirmed = {f"T{i:04d}" for i in range(0, 30, 3)}  # 10 of 30 rigged tenders confirmed
    model, meta = integrity.train(features, confirmed)
    assert meta["metrics"]["supervised"] and meta["metrics"]["confirmed_tenders"] == 10
    assert meta["training_window"] == {"first_period": "2026-05", "last_period": "2026-05"}
    scored = integrity.score_tenders(model, features, confirmed)
    unseen_rigged = scored.iloc[:30][~scored.iloc[:30]["is_audit_confirmed"]]
    assert unseen_rigged["risk_score"].min() > scored.iloc[30:]["risk_score"].median()
    assert scored["is_flagged"].sum() == round(0.05 * len(scored))
    reasons = json.loads(scored.loc[scored["is_flagged"]].iloc[0]["top_features"])
    assert 1 <= len(reasons) <= integrity.TOP_FEATURES
    assert {r["feature"] for r in reasons} <= {*FEATURES, integrity.ANOMALY}
    assert all(r["contribution"] > 0 and r["label"] for r in reasons)


def test_too_few_labels_fall_back_to_the_detector():
    features = _features()
    model, meta = integrity.train(features, {"T0000"})
    assert not meta["metrics"]["supervised"] and model.supervised is None
    scored = integrity.score_tenders(model, features, {"T0000"})
    assert scored["supervised_score"].isna().all()
    assert scored["risk_score"].between(0, 1).all()
    assert scored.iloc[:30]["risk_score"].mean() > scored.iloc[30:]["risk_score"].mean()
