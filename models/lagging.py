"""Lagging-risk prediction (潜在风险预测): P(a department is in the bottom tier next month) from its past months.

The bottom tier is an overall score below the diagnosis threshold of the result-use rules
(``scoring/config/department.yaml``: tiers.diagnosis.below, 60 = 差); two such months running lead to
组织健康度诊断. Features of department d at month t use months ≤ t only: the overall score and its five
dimensions, the rank within the type, the change from t-1, the mean and the number of bottom-tier months
over the last three. Validation is time-ordered only (rolling origin): every month v from the fourth on
is predicted by a model fitted on the rows whose next month was already known at v.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from jixiao.scoring.department import load_config

NAME = "lagging"
DIMENSIONS = ("mission_score", "strategy_score", "public_score", "process_score", "growth_score")
FEATURES = ("overall_score", *DIMENSIONS, "rank_share_in_type", "overall_change", "overall_mean_3",
            "bottom_months_3", "is_bottom")
MIN_TRAIN_MONTHS = 3


def bottom_threshold() -> float:
    return float(load_config()["tiers"]["diagnosis"]["below"])


def month_index(period: pd.Series) -> pd.Series:
    year, month = period.str.slice(0, 4).astype(int), period.str.slice(5, 7).astype(int)
    return year * 12 + month - 1


def panel(scores: pd.DataFrame) -> pd.DataFrame:
    """Department × month rows with FEATURES and ``next_bottom`` (NaN where the next month is unknown)."""
    below = bottom_threshold()
    monthly = scores[scores["period_type"] == "month"]
    frame = monthly[["dept_code", "period", "overall_score", *DIMENSIONS, "rank_in_peer_group",
                     "n_scored_in_peer_group"]].copy()
    frame = frame[frame["overall_score"].notna()].copy()
    frame["month"] = month_index(frame["period"])
    frame = frame.sort_values(["dept_code", "month"]).reset_index(drop=True)
    frame["rank_share_in_type"] = (frame["rank_in_peer_group"] / frame["n_scored_in_peer_group"]).astype(float)
    frame["is_bottom"] = (frame["overall_score"] < below).astype(float)
    grouped = frame.groupby("dept_code", sort=False)
    previous = grouped["overall_score"].shift(1)
    consecutive = grouped["month"].shift(1) == frame["month"] - 1
    frame["overall_change"] = np.where(consecutive, frame["overall_score"] - previous, 0.0)
    frame["overall_mean_3"] = grouped["overall_score"].transform(lambda s: s.rolling(3, min_periods=1).mean())
    frame["bottom_months_3"] = grouped["is_bottom"].transform(lambda s: s.rolling(3, min_periods=1).sum())
    nxt = frame[["dept_code", "month", "is_bottom"]].copy()
    nxt["month"] -= 1
    frame = frame.merge(nxt.rename(columns={"is_bottom": "next_bottom"}), on=["dept_code", "month"], how="left")
    for name in FEATURES:
        frame[name] = frame[name].astype(float).fillna(frame[name].median() if frame[name].notna().any() else 0.0)
    return frame


def _model() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, max_iter=2000))])


def rolling_validation(rows: pd.DataFrame) -> dict:
    """Time-ordered validation: pooled AUC of month-by-month out-of-time predictions, and the naive baseline's."""
    labelled = rows[rows["next_bottom"].notna()]
    months = sorted(labelled["month"].unique())
    predictions, truths, naive = [], [], []
    for v in months[MIN_TRAIN_MONTHS:]:
        train = labelled[labelled["month"] + 1 <= v]  # their next month is known by month v
        test = labelled[labelled["month"] == v]
        if train["next_bottom"].nunique() < 2 or test.empty:
            continue
        model = _model().fit(train[list(FEATURES)], train["next_bottom"])
        predictions.append(model.predict_proba(test[list(FEATURES)])[:, 1])
        truths.append(test["next_bottom"].to_numpy())
        naive.append(-test["overall_score"].to_numpy())
    if not truths or len(np.unique(np.concatenate(truths))) < 2:
        return {"validated_months": len(truths)}
    y = np.concatenate(truths)
    return {"validated_months": len(truths), "validated_rows": int(len(y)), "positive_rate": round(float(y.mean()), 4),
            "time_ordered_auc": round(float(roc_auc_score(y, np.concatenate(predictions))), 4),
            "naive_current_score_auc": round(float(roc_auc_score(y, np.concatenate(naive))), 4)}


def train(scores: pd.DataFrame) -> tuple[Pipeline | None, dict]:
    """Validate time-ordered, then fit on every labelled row; (None, meta) when there is too little history."""
    rows = panel(scores)
    labelled = rows[rows["next_bottom"].notna()]
    meta = {"training_window": {"first_period": rows["period"].min() if len(rows) else None,
                                "last_period": rows["period"].max() if len(rows) else None},
            "features": list(FEATURES), "bottom_tier_below": bottom_threshold(),
            "labels": "overall score of the next month below the diagnosis threshold (fct_dept_score)",
            "metrics": {"rows": int(len(labelled)), **rolling_validation(rows)}}
    if labelled["next_bottom"].nunique() < 2:
        return None, meta
    return _model().fit(labelled[list(FEATURES)], labelled["next_bottom"]), meta


def score(model: Pipeline | None, scores: pd.DataFrame) -> pd.DataFrame:
    """Every department × month with P(bottom tier next month); the label where already known."""
    rows = panel(scores)
    rows["lagging_probability"] = model.predict_proba(rows[list(FEATURES)])[:, 1] if model is not None and len(rows) else np.nan
    periods = rows["month"].map(lambda m: f"{m // 12:04d}-{m % 12 + 1:02d}")
    rows["predicted_period"] = (rows["month"] + 1).map(lambda m: f"{m // 12:04d}-{m % 12 + 1:02d}")
    rows["period"] = periods
    return rows[["dept_code", "period", "predicted_period", "overall_score", "is_bottom", "bottom_months_3",
                 "lagging_probability", "next_bottom"]]
