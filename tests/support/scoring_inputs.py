"""Hand-made department-scoring inputs: a small catalogue, fct_indicator_value rows, departments and configs."""
from __future__ import annotations

import copy

import pandas as pd

from jixiao.scoring.department import load_config

GOALS = pd.DataFrame({"goal_code": ["G1", "G2"], "goal_name": ["目标一", "目标二"], "mission_code": ["M1", "M1"],
                      "mission_name": ["使命一", "使命一"]})
NO_EXEMPTIONS = pd.DataFrame(columns=["exemption_id", "dept_code", "indicator_code", "period", "reason", "approver",
                                      "approved_on"])
# code → (dimension, direction, target, weight, self_reported, scored_in, aggregation, independent_indicators)
CATALOGUE = {
    "A": ("mission", "higher", 90, 1.0, False, "composite", "monthly_mean", None),
    "B": ("process", "lower", 10, 1.0, False, "composite", "monthly_mean", None),
    "R": ("public", "higher", 80, 1.0, False, "composite", "rate", None),
    "Y": ("process", "higher", 90, 1.0, False, "composite", "latest", None),
    "SR_GROWTH": ("growth", "higher", 50, 1.0, True, "composite", "monthly_mean", None),
    "SR_PROCESS": ("process", "higher", 50, 3.0, True, "composite", "monthly_mean", None),
    "SR_SATISFACTION": ("mission", "higher", 90, 1.0, True, "composite", "monthly_mean", "REVIEW_SATISFACTION"),
    "REVIEW_SATISFACTION": ("public", "higher", 95, 1.0, False, "360:recipients", "rate", None),
    "HOTLINE_SATISFACTION": ("public", "higher", 90, 1.0, False, "360:recipients", "rate", None),
    "APPRAISAL_SUPERIOR": ("strategy", "higher", 90, 1.0, False, "360:superior", "mean_of", None),
    "APPRAISAL_THIRD_PARTY": ("public", "higher", 85, 1.0, False, "360:third_party", "mean_of", None),
    "APPRAISAL_PEER": ("growth", "higher", 85, 1.0, False, "360:peer_self", "mean_of", None),
    "APPRAISAL_SELF": ("growth", "higher", 85, 0.5, True, "360:peer_self", "mean_of", None),
}


def indicator_values(rows) -> pd.DataFrame:
    """fct_indicator_value rows from (dept_code, period, indicator_code, value[, numerator, denominator])."""
    records = []
    for row in rows:
        dept, period, code, value, *counts = row
        numerator, denominator = counts if counts else (None, None)
        dimension, direction, target, weight, self_reported, scored_in, aggregation, independent = CATALOGUE[code]
        if aggregation in ("rate", "mean_of") and value is not None and numerator is None:
            numerator, denominator = (value, 100.0) if aggregation == "rate" else (value, 1.0)
        attainment = None if value is None else 100 * min(1.0, (value / target) if direction == "higher"
                                                          else (target / value if value > 0 else 1.0))
        records.append({"dept_code": dept, "period": period, "indicator_code": code, "indicator_version": 1,
                        "indicator_name": code, "dimension": dimension, "goal_code": "G1" if dimension == "mission" else "G2",
                        "direction": direction, "self_reported": self_reported, "scored_in": scored_in,
                        "aggregation": aggregation, "independent_indicators": independent, "target": float(target),
                        "weight": weight, "value": value, "numerator": numerator, "denominator": denominator,
                        "has_data": value is not None, "attainment": attainment})
    return pd.DataFrame(records)


def departments(*codes, peer_group=None) -> pd.DataFrame:
    return pd.DataFrame({"dept_code": list(codes), "dept_name": [f"{c}局" for c in codes], "dept_type": "T",
                         "dept_type_name": "类型", "peer_group": peer_group or "T", "peer_group_name": "比较组",
                         "region_code": "R", "region_name": "区划"})


def config(**changes) -> dict:
    cfg = copy.deepcopy(load_config())
    cfg["periods"] = {"types": ["month"], "month_window": 1}
    for key, value in changes.items():
        section, name = key.split("__")
        cfg[section][name] = value
    return cfg
