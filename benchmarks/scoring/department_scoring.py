"""Time to score departments × indicators × months with scoring.department (synthetic data).

    .venv/bin/python benchmarks/scoring/department_scoring.py 800 41 24
    .venv/bin/python benchmarks/scoring/department_scoring.py 5000 40 24
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from jixiao.scoring.department import DIMENSIONS, dept_score_table, score_departments
from jixiao.scoring.tiers import assign_tiers

APPRAISALS = {"APPRAISAL_SUPERIOR": "360:superior", "APPRAISAL_THIRD_PARTY": "360:third_party",
              "APPRAISAL_PEER": "360:peer_self", "APPRAISAL_SELF": "360:peer_self"}


def synthetic_inputs(n_depts: int, n_indicators: int, n_months: int, n_types: int = 40, seed: int = 1):
    """fct_indicator_value-shaped values (a quarter of the indicators type-specific, a fifth self-reported, the
    rest rates from a handful of cases; quarterly appraisals counting for their quarter), departments, one
    exemption per 100 departments, goals."""
    rng = np.random.default_rng(seed)
    departments = pd.DataFrame({"dept_code": [f"D{i:05d}" for i in range(n_depts)],
                                "dept_name": [f"部门{i}" for i in range(n_depts)],
                                "dept_type": [f"T{i % n_types:02d}" for i in range(n_depts)],
                                "region_code": [f"R{i % 90:02d}" for i in range(n_depts)]})
    departments = departments.assign(dept_type_name=departments["dept_type"], peer_group=departments["dept_type"],
                                     peer_group_name=departments["dept_type"], region_name=departments["region_code"])
    n_common = n_indicators - n_indicators // 4
    codes = [f"I{j:02d}" for j in range(n_indicators)] + list(APPRAISALS)
    catalogue = pd.DataFrame({
        "indicator_code": codes, "indicator_name": codes, "indicator_version": 1,
        "dimension": [DIMENSIONS[j % 5] for j in range(len(codes))], "goal_code": [f"G{j % 7}" for j in range(len(codes))],
        "direction": np.where(np.arange(len(codes)) % 6 == 0, "lower", "higher"), "target": 90.0, "weight": 1.0,
        "self_reported": [j % 5 == 0 for j in range(n_indicators)] + [False, False, False, True],
        "scored_in": ["composite"] * n_indicators + list(APPRAISALS.values()),
        "aggregation": ["monthly_mean" if j % 5 == 0 else "rate" for j in range(n_indicators)] + ["mean_of"] * 4,
        "independent_indicators": None,
        "applies": [None] * n_common + [f"T{j % n_types:02d}" for j in range(n_indicators - n_common)] + [None] * 4})
    periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(n_months)]
    rows = departments[["dept_code", "dept_type"]].merge(catalogue, how="cross")
    rows = rows[rows["applies"].isna() | (rows["applies"] == rows["dept_type"])].drop(columns=["applies", "dept_type"])
    values = rows.merge(pd.DataFrame({"period": periods}), how="cross")
    cases = rng.poisson(3, len(values)).astype(float)
    rate = values["aggregation"].eq("rate")
    values["denominator"] = np.where(rate, cases, np.where(values["aggregation"].eq("mean_of"), 2.0, np.nan))
    values["numerator"] = np.where(rate, rng.binomial(cases.astype(int), 0.85), 2 * rng.normal(82, 6, len(values)))
    values["value"] = np.where(rate, 100 * values["numerator"] / values["denominator"].where(values["denominator"] > 0),
                               np.where(values["aggregation"].eq("mean_of"), values["numerator"] / 2,
                                        rng.normal(88, 8, len(values))))
    values.loc[rng.random(len(values)) < 0.05, "value"] = np.nan
    values["has_data"] = values["value"].notna()
    values["attainment"] = np.clip(100 * values["value"] / values["target"], 0, 100)
    goals = pd.DataFrame({"goal_code": [f"G{g}" for g in range(7)], "goal_name": [f"目标{g}" for g in range(7)],
                          "mission_code": ["M1"] * 3 + ["M2"] * 4, "mission_name": ["使命1"] * 3 + ["使命2"] * 4})
    exemptions = pd.DataFrame({"exemption_id": [f"E{i}" for i in range(0, n_depts, 100)],
                               "dept_code": departments["dept_code"][::100].to_numpy(), "indicator_code": "I01",
                               "period": periods[-1], "reason": "容错", "approver": "绩效办", "approved_on": "2026-01-01"})
    return values, departments, exemptions, goals


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
          f"{len(items):,} result items (months, quarters, years); engine {scored - started:.1f}s, "
          f"score table + tiers {done - scored:.1f}s, total {done - started:.1f}s; "
          f"tiers: {tiers['tier_code'].value_counts().to_dict()}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
