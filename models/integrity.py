"""Integrity risk (廉政风险预警): red flags, an unsupervised detector and a supervised model over tender features.

- **Red-flag scorecard**: the mean percentile of each red flag in its suspicious direction (price close to
  the ceiling, narrow bid spread, a repeated bidder set rotating wins, …; :data:`RED_FLAGS`), percentiles
  taken against the training tenders — needs no label and no fitting beyond those percentiles.
- **Detector**: an IsolationForest on the (log-scaled, standardised) features — needs no label.
- **Supervised**: a logistic regression trained on the tenders that audit findings confirmed as bid
  rigging (positives) against the other tenders, with the detector's anomaly score and the scorecard as
  two more inputs. The other tenders are unlabelled, not honest: audits confirm only some rigged tenders,
  so the :data:`UNLABELLED_LEFT_OUT` of them the scorecard finds most suspicious are left out of the
  negatives (positive-unlabelled learning with reliable negatives), and the regularisation is strong
  (``C`` = :data:`C`) because confirmed tenders are few. Linear on standardised inputs, so each tender's
  risk splits exactly into per-feature contributions (coefficient × standardised value): the explanation
  of a flag.

``risk_score`` is the supervised probability when at least :data:`MIN_LABELS` confirmed tenders were
available to train, else the red-flag scorecard. A tender is flagged when its risk is in the top
:data:`FLAG_SHARE` of the tenders scored.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from jixiao.models.procurement import FEATURES

NAME = "integrity"
MIN_LABELS = 3
MIN_TENDERS = 10
C = 0.1
UNLABELLED_LEFT_OUT = 0.1
FLAG_SHARE = 0.05
LOG_SCALED = ("n_bidders", "set_repeats", "pair_cobids_max")
LOW_IS_SUSPICIOUS = ("bid_spread", "cover_gap", "n_bidders")
RED_FLAGS = tuple(name for name in FEATURES if name != "open_method")
"""Every feature with a suspicious direction (an open tender is neither more nor less suspicious)."""
PERCENTILE_POINTS = 1001
ANOMALY = "anomaly_score"
RED_FLAG = "red_flag_score"
LABELS = {**FEATURES, ANOMALY: "孤立森林异常度", RED_FLAG: "红旗指标综合分位"}
TOP_FEATURES = 3
SEED = 20260101


class IntegrityModel:
    """Red-flag percentiles + scaler + IsolationForest + (optional) logistic regression over FEATURES."""

    FORMAT = 2
    """Artefacts of another format (an earlier design of this class) are refused: retrain them."""

    def __init__(self):
        self.scaler = StandardScaler()
        self.forest = IsolationForest(n_estimators=200, random_state=SEED)
        self.supervised: LogisticRegression | None = None
        self.supervised_scaler = StandardScaler()
        self.red_flag_grid = np.zeros((PERCENTILE_POINTS, len(RED_FLAGS)))

    @staticmethod
    def matrix(features: pd.DataFrame) -> np.ndarray:
        x = features[list(FEATURES)].astype("float64").fillna(0.0).copy()
        for name in LOG_SCALED:
            x[name] = np.log1p(x[name].clip(lower=0))
        return x.to_numpy()

    def anomaly(self, x: np.ndarray) -> np.ndarray:
        """Higher = more anomalous (the negated IsolationForest score)."""
        return -self.forest.score_samples(self.scaler.transform(x))

    @staticmethod
    def oriented(x: np.ndarray) -> np.ndarray:
        """The red flags of ``x`` (a :meth:`matrix`), each turned so that higher is more suspicious."""
        columns = [list(FEATURES).index(name) for name in RED_FLAGS]
        signs = np.where(np.isin(RED_FLAGS, LOW_IS_SUSPICIOUS), -1.0, 1.0)
        return x[:, columns] * signs

    def red_flags(self, x: np.ndarray) -> np.ndarray:
        """Mean percentile (0–1, ties at their middle) of the red flags against the training tenders."""
        oriented, grid = self.oriented(x), self.red_flag_grid
        below = np.column_stack([np.searchsorted(grid[:, j], oriented[:, j], side="left") for j in range(grid.shape[1])])
        upto = np.column_stack([np.searchsorted(grid[:, j], oriented[:, j], side="right") for j in range(grid.shape[1])])
        return ((below + upto) / (2 * len(grid))).mean(axis=1)

    def supervised_inputs(self, x: np.ndarray, anomaly: np.ndarray, red_flags: np.ndarray) -> np.ndarray:
        """The logistic regression's inputs: the standardised features, the detector's and the scorecard's score
        (``anomaly`` and ``red_flags`` of ``x``, computed once by the caller: the forest is the costly part)."""
        return np.column_stack([self.scaler.transform(x), anomaly, red_flags])

    def fit(self, features: pd.DataFrame, labels: np.ndarray) -> dict:
        """Fit on all tenders; return training metrics (label counts, cross-validated AUC on the audit labels)."""
        x = self.matrix(features)
        self.red_flag_grid = np.quantile(self.oriented(x), np.linspace(0, 1, PERCENTILE_POINTS), axis=0)
        red_flags = self.red_flags(x)
        self.scaler.fit(x)
        self.forest.fit(self.scaler.transform(x))
        anomaly = self.anomaly(x)
        positives = int(labels.sum())
        metrics = {"tenders": len(x), "confirmed_tenders": positives, "supervised": positives >= MIN_LABELS}
        if positives >= MIN_LABELS:
            reliable = (labels == 1) | (red_flags <= np.quantile(red_flags[labels == 0], 1 - UNLABELLED_LEFT_OUT))
            z = self.supervised_scaler.fit_transform(self.supervised_inputs(x, anomaly, red_flags))[reliable]
            y = labels[reliable]
            model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
            folds = StratifiedKFold(n_splits=min(5, positives), shuffle=True, random_state=SEED)
            oof = cross_val_predict(model, z, y, cv=folds, method="predict_proba")[:, 1]
            metrics["cv_auc_on_audit_labels"] = round(float(roc_auc_score(y, oof)), 4)
            metrics["negatives_used"] = int((y == 0).sum())
            self.supervised = model.fit(z, y)
        if positives:
            metrics["anomaly_auc_on_audit_labels"] = round(float(roc_auc_score(labels, anomaly)), 4)
            metrics["red_flag_auc_on_audit_labels"] = round(float(roc_auc_score(labels, red_flags)), 4)
        served = "cv_auc_on_audit_labels" if self.supervised is not None else "red_flag_auc_on_audit_labels"
        if served in metrics:  # the gate judges the score that is served as risk_score
            metrics["served_auc_on_audit_labels"] = metrics[served]
        return metrics

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """anomaly_score, red_flag_score, supervised_score, risk_score and the top contributing features of each
        tender."""
        x = self.matrix(features)
        out = pd.DataFrame({ANOMALY: self.anomaly(x), RED_FLAG: self.red_flags(x)}, index=features.index)
        if self.supervised is None:
            out["supervised_score"] = np.nan
            out["risk_score"] = out[RED_FLAG]
            # explanation: how far the tender is from the typical one in each flag's suspicious direction
            contributions = self.scaler.transform(x) * np.where(np.isin(list(FEATURES), LOW_IS_SUSPICIOUS), -1, 1)
            names = list(FEATURES)
        else:
            inputs = self.supervised_inputs(x, out[ANOMALY].to_numpy(), out[RED_FLAG].to_numpy())
            z = self.supervised_scaler.transform(inputs)
            out["supervised_score"] = self.supervised.predict_proba(z)[:, 1]
            out["risk_score"] = out["supervised_score"]
            contributions = z * self.supervised.coef_[0]
            names = [*FEATURES, ANOMALY, RED_FLAG]
        out["top_features"] = top_contributions(contributions, names)
        return out


def top_contributions(contributions: np.ndarray, names: list[str], k: int = TOP_FEATURES) -> list[str]:
    """JSON list of the ``k`` largest positive contributions per row: [{feature, label, contribution}]."""
    order = np.argsort(-contributions, axis=1)[:, :k]
    picked = np.take_along_axis(contributions, order, axis=1)
    # each feature's JSON object up to its contribution, written once (json.dumps per row took a second at M)
    heads = [f'{{"feature": {json.dumps(name, ensure_ascii=False)}, '
             f'"label": {json.dumps(LABELS[name], ensure_ascii=False)}, "contribution": ' for name in names]
    return ["[" + ", ".join(f"{heads[i]}{round(value, 3)!r}}}" for i, value in zip(picks, values) if value > 0) + "]"
            for picks, values in zip(order.tolist(), picked.tolist())]


def train(features: pd.DataFrame, confirmed: set[str]) -> tuple[IntegrityModel | None, dict]:
    """Fit on the tenders' features with audit-confirmed tenders as positives; (None, meta) without tenders."""
    periods = features["period"].dropna()
    meta = {"training_window": {"first_period": periods.min() if len(periods) else None,
                                "last_period": periods.max() if len(periods) else None},
            "features": list(FEATURES), "labels": "tenders named by audit findings of category 围标串标",
            "metrics": {"tenders": len(features)}}
    if len(features) < MIN_TENDERS:
        return None, meta
    # by tender id: the forest's subsamples and the folds follow row order, which follows the landing files
    features = features.sort_values("tender_id", kind="stable", ignore_index=True)
    model = IntegrityModel()
    meta["metrics"] = model.fit(features, features["tender_id"].isin(confirmed).to_numpy().astype(int))
    return model, meta


def score_tenders(model: IntegrityModel, features: pd.DataFrame, confirmed: set[str]) -> pd.DataFrame:
    """The tender-risk mart: ids, features, scores, percentile, flag and explanation."""
    scored = model.score(features)
    out = pd.concat([features.reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
    out["risk_percentile"] = out["risk_score"].rank(pct=True, method="max")
    out["is_flagged"] = out["risk_percentile"] > 1 - FLAG_SHARE
    out["is_audit_confirmed"] = out["tender_id"].isin(confirmed)
    return out
