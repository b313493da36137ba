"""The integrity model on synthetic feature tables: explanations, the red-flag scorecard (its percentiles and the
fallback with too few labels), the 5 % flag."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

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
    assert {r["feature"] for r in reasons} <= {*FEATURES, integrity.ANOMALY, integrity.RED_FLAG}
    assert all(r["contribution"] > 0 and r["label"] for r in reasons)


def test_the_same_tenders_in_another_order_train_the_same_model():
    """Feature rows come in the order of the landing files, which differs from one ingest to the next."""
    features = _features()
    confirmed = {f"T{i:04d}" for i in range(0, 30, 3)}
    first, first_meta = integrity.train(features, confirmed)
    second, second_meta = integrity.train(features.sample(frac=1, random_state=5), confirmed)
    assert first_meta["metrics"] == second_meta["metrics"]
    pd.testing.assert_frame_equal(integrity.score_tenders(first, features, confirmed),
                                  integrity.score_tenders(second, features, confirmed))


def test_too_few_labels_fall_back_to_the_red_flag_scorecard():
    features = _features()
    model, meta = integrity.train(features, {"T0000"})
    assert not meta["metrics"]["supervised"] and model.supervised is None
    assert meta["metrics"]["served_auc_on_audit_labels"] == meta["metrics"]["red_flag_auc_on_audit_labels"]
    scored = integrity.score_tenders(model, features, {"T0000"})
    assert scored["supervised_score"].isna().all()
    assert (scored["risk_score"] == scored[integrity.RED_FLAG]).all() and scored["risk_score"].between(0, 1).all()
    assert scored.iloc[:30]["risk_score"].min() > scored.iloc[30:]["risk_score"].median()


def test_the_scorecard_is_the_mean_percentile_of_each_flag_in_its_suspicious_direction():
    n = 101
    training = pd.DataFrame({name: np.zeros(n) for name in FEATURES})
    training["award_to_ceiling"] = np.linspace(0.8, 1.0, n)        # higher is suspicious
    training["bid_spread"] = np.linspace(0.0, 0.2, n)               # lower is suspicious
    training["open_method"] = np.linspace(0.0, 1.0, n)              # neither: not a red flag
    training["tender_id"], training["period"] = [f"T{i:03d}" for i in range(n)], "2026-05"
    model, _ = integrity.train(training, set())
    flags = len(integrity.RED_FLAGS)
    assert flags == len(FEATURES) - 1 and "open_method" not in integrity.RED_FLAGS
    probe = training.iloc[[0, 0, 0]].copy()
    probe["award_to_ceiling"] = [1.0, 0.8, 1.0]
    probe["bid_spread"] = [0.0, 0.2, 0.2]
    probe["open_method"] = [0.0, 0.0, 1.0]
    scores = model.score(probe)[integrity.RED_FLAG].to_numpy()
    tied = 0.5  # a flag every training tender shares sits at the middle of its tie
    top = 1 - 1 / (2 * integrity.PERCENTILE_POINTS)                   # the highest value: the middle of its grid step
    assert scores[0] == pytest.approx((2 * top + (flags - 2) * tied) / flags, abs=1e-3)
    assert scores[1] == pytest.approx((2 * (1 - top) + (flags - 2) * tied) / flags, abs=1e-3)
    assert scores[2] == pytest.approx((top + (1 - top) + (flags - 2) * tied) / flags, abs=1e-3), \
        "open_method does not count; a wide bid spread offsets a price at the ceiling"


def test_an_explanation_lists_the_largest_positive_contributions_in_order_as_json():
    names = ["award_to_ceiling", "bid_spread", "cover_gap", "n_bidders", integrity.ANOMALY]
    contributions = np.array([
        [0.5, -1.0, 2.0, 0.1, 1.25],       # the three largest, largest first
        [-0.1, -0.2, -0.3, -0.4, -0.5],    # nothing suspicious: an empty list
        [0.0, 0.0, 0.0, 0.00004, 0.1236],  # zero is no contribution; a positive one rounding to 0.0 still is
    ])
    first, none, only = (json.loads(text) for text in integrity.top_contributions(contributions, names))
    assert first == [
        {"feature": "cover_gap", "label": FEATURES["cover_gap"], "contribution": 2.0},
        {"feature": integrity.ANOMALY, "label": integrity.LABELS[integrity.ANOMALY], "contribution": 1.25},
        {"feature": "award_to_ceiling", "label": FEATURES["award_to_ceiling"], "contribution": 0.5},
    ]
    assert none == []
    assert only == [{"feature": integrity.ANOMALY, "label": "孤立森林异常度", "contribution": 0.124},
                    {"feature": "n_bidders", "label": FEATURES["n_bidders"], "contribution": 0.0}]
    assert "孤立森林" in integrity.top_contributions(contributions[2:], names)[0]  # Chinese as is, not \u escapes
