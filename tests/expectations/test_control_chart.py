"""Consecutive anomalies on hand-made series: one alert per run, at the configured length, beyond both limits."""
from __future__ import annotations

import pandas as pd

from jixiao.expectations.control_chart import find_runs
from jixiao.expectations.rules import load_rules

CONFIG = load_rules()["consecutive_anomaly"]


def series(values_by_dept: dict[str, list[float]], dept_type: str = "WJW") -> pd.DataFrame:
    months = pd.date_range("2026-01-01", periods=max(len(v) for v in values_by_dept.values()), freq="MS")
    return pd.DataFrame([{"dept_code": dept, "dept_type": dept_type, "indicator_code": "SR_MED_DISPUTE_DAYS",
                          "period_month": months[i].date(), "value": value}
                         for dept, values in values_by_dept.items() for i, value in enumerate(values)])


def peers(n: int = 6) -> dict[str, list[float]]:
    return {f"P{i}": [16.0 + i + 0.3 * (m % 3) for m in range(12)] for i in range(n)}


def test_a_run_of_the_configured_length_raises_one_alert_in_its_third_month():
    run = CONFIG["run_length"]
    values = [18.0, 18.5, 17.6] + [55.0] * (run + 1) + [18.2] * (8 - run)
    runs = find_runs(series({"H": values} | peers()), CONFIG)
    [alert] = runs[runs["dept_code"] == "H"].to_dict("records")
    assert (alert["run_start"], alert["alert_period"], alert["run_end"]) == ("2026-04", f"2026-{3 + run:02d}", f"2026-{4 + run:02d}")
    assert alert["run_months"] == run + 1 and alert["recovered_period"] == f"2026-{5 + run:02d}"
    assert alert["direction"] == "above" and alert["upper_limit"] < 55.0
    assert runs[runs["dept_code"] != "H"].empty


def test_one_month_short_of_the_run_length_raises_nothing():
    values = [18.0, 18.5, 17.6] + [55.0] * (CONFIG["run_length"] - 1) + [18.2] * 6
    assert find_runs(series({"H": values} | peers()), CONFIG).empty


def test_a_month_outside_its_own_limits_but_inside_its_peers_is_in_control():
    # a steady department jumps to the middle of its peers: unusual for it, ordinary for its type
    values = [10.0, 10.1, 10.0] + [18.0] * 5 + [10.0] * 4
    assert find_runs(series({"H": values} | peers()), CONFIG).empty


def test_without_enough_peers_no_month_is_judged():
    values = [18.0, 18.5, 17.6] + [55.0] * 5 + [18.2] * 4
    few = dict(list(peers().items())[: CONFIG["min_peers"] - 2])
    assert find_runs(series({"H": values} | few), CONFIG).empty


def test_a_gap_in_the_months_breaks_a_run():
    values = [18.0, 18.5, 17.6, 55.0, 55.0, 18.0, 55.0, 55.0, 18.0, 18.0, 18.0, 18.0]
    frame = series({"H": values} | peers())
    assert find_runs(frame, CONFIG).empty
