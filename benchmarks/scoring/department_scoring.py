"""Time to score departments × indicators × months with scoring.department (synthetic data).

    PYTHONPATH=. python benchmarks/scoring/department_scoring.py 800 41 24
    PYTHONPATH=. python benchmarks/scoring/department_scoring.py 5000 40 24
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from jixiao.scoring.department import DIMENSIONS, dept_score_table, score_departments
from jixiao.scoring.tiers import assign_tiers


def synthetic_inputs(n_depts: int, n_indicators: int, n_months: int, n_types: int = 40, seed: int = 1):
    """fct_indicator_value-shaped values (a quarter of the indicators type-specific), departments,
    quarterly appraisal scores, goals and one exemption per 100 departments."""
    rng = np.random.default_rng(seed)
    departments = pd.DataFrame({"dept_code": [f"D{i:05d}" for i in range(n_depts)],
                                "dept_type": [f"T{i % n_types:02d}" for i in range(n_depts)],
                                "region_code": [f"R{i % 90:02d}" for i in range(n_depts)]})
    n_common = n_indicators - n_indicators // 4
    catalogue = pd.DataFrame({
        "indicator_code": [f"I{j:02d}" for j in range(n_indicators)],
        "indicator_name": [f"指标{j}" for j in range(n_indicators)],
        "dimension": [DIMENSIONS[j % 5] for j in range(n_indicators)],
        "goal_code": [f"G{j % 7}" for j in range(n_indicators)],
        "direction": np.where(np.arange(n_indicators) % 6 == 0, "lower", "higher"),
        "target": 90.0, "weight": 1.0,
        "dept_type": [None] * n_common + [f"T{j % n_types:02d}" for j in range(n_indicators - n_common)]})
    periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(n_months)]
    rows = departments.merge(catalogue, how="cross", suffixes=("", "_applies"))
    rows = rows[rows["dept_type_applies"].isna() | (rows["dept_type_applies"] == rows["dept_type"])]
    rows = rows.drop(columns=["dept_type_applies", "dept_type", "region_code"])
    values = rows.merge(pd.DataFrame({"period": periods}), how="cross")
    values["value"] = np.where(rng.random(len(values)) < 0.05, np.nan, rng.normal(88, 8, len(values)))
    values.loc[values["indicator_code"] == "I00", "indicator_code"] = "REVIEW_SATISFACTION"
    appraisal = pd.DataFrame([(d, p, e, float(rng.integers(60, 100)))
                              for d in departments["dept_code"] for p in periods[2::3]
                              for e in ("superior", "third_party", "peer", "self")],
                             columns=["dept_code", "period", "evaluator_type", "score"])
    goals = pd.DataFrame({"goal_code": [f"G{g}" for g in range(7)], "mission_code": ["M1"] * 3 + ["M2"] * 4})
    exemptions = pd.DataFrame({"exemption_id": [f"E{i}" for i in range(0, n_depts, 100)],
                               "dept_code": departments["dept_code"][::100].to_numpy(), "indicator_code": "I01",
                               "period": periods[-1], "reason": "容错", "approver": "绩效办", "approved_on": "2026-01-01"})
    return values, departments, appraisal, exemptions, goals


def main(n_depts: int, n_indicators: int, n_months: int) -> None:
    inputs = synthetic_inputs(n_depts, n_indicators, n_months)
    cells = len(inputs[0])
    started = time.perf_counter()
    items = score_departments(*inputs)
    scored = time.perf_counter()
    scores = dept_score_table(items, inputs[1])
    tiers = assign_tiers(scores)
    done = time.perf_counter()
    print(f"{n_depts} departments × {n_indicators} indicators × {n_months} months = {cells:,} indicator cells; "
          f"{len(items):,} result items; engine {scored - started:.1f}s, score table + tiers {done - scored:.1f}s, "
          f"total {done - started:.1f}s; tiers: {tiers['tier_code'].value_counts().to_dict()}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
