"""Incremental scoring by period (scoring/digests.py) on hand-made inputs: a change reaches exactly the periods whose
window holds its month, float noise below the digest's precision is no change, shared inputs reach every period,
and scoring only some periods gives the rows a full scoring gives for them."""
from __future__ import annotations

import multiprocessing

import pandas as pd
import pytest

from jixiao.runtime.processes import helper_processes
from jixiao.scoring import department
from jixiao.scoring.department import MIN_PERIODS_PER_WORKER, score_departments, score_departments_in_parallel
from jixiao.scoring.digests import period_digests, periods_to_score, shared_digest
from scoring_inputs import GOALS, NO_EXEMPTIONS, config, departments, indicator_values

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01", "2027-02"]
CFG = config(periods__types=["month", "quarter", "year"], periods__month_window=3)
NO_EXCLUSIONS = pd.DataFrame(columns=["dept_code", "period", "indicator_code", "reason"])


def year_of_values() -> pd.DataFrame:
    rows = []
    for i, month in enumerate(MONTHS):
        for dept in ("D1", "D2"):
            rows += [(dept, month, "A", 60.0 + i + (dept == "D2")), (dept, month, "R", 50.0, 5 + i, 10),
                     (dept, month, "APPRAISAL_SUPERIOR", 70.0 + i)]
    return indicator_values(rows)


def digests(values, exclusions=NO_EXCLUSIONS, depts=None, cfg=CFG):
    shared = shared_digest(depts if depts is not None else departments("D1", "D2"), NO_EXEMPTIONS, GOALS, cfg)
    return period_digests(values, exclusions, shared, cfg)


def changed(before, after) -> set[tuple[str, str]]:
    periods, gone = periods_to_score(after, before)
    assert gone.empty
    return set(periods.itertuples(index=False, name=None))


def test_a_changed_month_reaches_the_month_periods_whose_window_holds_it_its_quarter_and_its_year():
    values = year_of_values()
    later = values.copy()
    row = later.index[(later["dept_code"] == "D2") & (later["period"] == "2026-05") & (later["indicator_code"] == "A")]
    later.loc[row, "value"] += 0.1
    assert changed(digests(values), digests(later)) == {
        ("month", "2026-05"), ("month", "2026-06"), ("month", "2026-07"),     # a three-month window
        ("quarter", "2026-Q2"), ("year", "2026")}


def test_a_new_month_and_an_exclusion_are_changes_but_float_noise_is_not():
    values = year_of_values()
    before = digests(values[values["period"] < "2027-02"])
    assert changed(before, digests(values)) == {("month", "2027-02"), ("quarter", "2027-Q1"), ("year", "2027")}
    noisy = values.assign(value=values["value"] * (1 + 1e-15))               # parallel sums differ in the last bits
    assert changed(digests(values), digests(noisy)) == set()
    exclusion = pd.DataFrame([{"dept_code": "D1", "period": "2026-11", "indicator_code": "A", "reason": "僵尸指标"}])
    assert changed(digests(values), digests(values, exclusion)) == {
        ("month", "2026-11"), ("month", "2026-12"), ("month", "2027-01"), ("quarter", "2026-Q4"), ("year", "2026")}


def test_departments_and_the_config_reach_every_period_and_a_vanished_period_is_reported():
    values = year_of_values()
    everything = set(digests(values)[["period_type", "period"]].itertuples(index=False, name=None))
    regrouped = departments("D1", "D2", peer_group="P")
    assert changed(digests(values), digests(values, depts=regrouped)) == everything
    decayed = config(periods__types=["month", "quarter", "year"], periods__month_window=3, periods__month_decay=0.5)
    assert changed(digests(values), digests(values, cfg=decayed)) == everything
    periods, gone = periods_to_score(digests(values[values["period"] >= "2026-04"]), digests(values))
    assert {("quarter", "2026-Q1"), ("month", "2026-01")} <= set(gone.itertuples(index=False, name=None))


def test_scoring_only_the_changed_periods_gives_the_rows_a_full_scoring_gives_them():
    values, depts = year_of_values(), departments("D1", "D2")
    full = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG)
    wanted = pd.DataFrame({"period_type": ["month", "quarter", "year"], "period": ["2026-07", "2026-Q3", "2026"]})
    part = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG, periods=wanted)
    keys = ["dept_code", "period_type", "period", "tree", "item"]
    expected = full.merge(wanted, on=["period_type", "period"]).sort_values(keys).reset_index(drop=True)
    assert len(expected) > 0 and set(part["period"]) == {"2026-07", "2026-Q3", "2026"}
    pd.testing.assert_frame_equal(part.sort_values(keys).reset_index(drop=True), expected)
    nothing = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG, periods=wanted.iloc[:0])
    assert nothing.empty and list(nothing.columns) == list(full.columns)


def test_periods_spread_over_processes_give_the_rows_of_one_scoring():
    values, depts = year_of_values(), departments("D1", "D2")
    full = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG)
    every = full[["period_type", "period"]].drop_duplicates()
    spread = score_departments_in_parallel(values, depts, NO_EXEMPTIONS, GOALS, None, CFG, every, workers=2)
    keys = ["dept_code", "period_type", "period", "tree", "item"]
    assert len(every) >= 2 * MIN_PERIODS_PER_WORKER  # enough periods for a second process
    pd.testing.assert_frame_equal(spread.sort_values(keys).reset_index(drop=True),
                                  full.sort_values(keys).reset_index(drop=True))


def test_a_daemonic_process_scores_every_period_itself(monkeypatch):
    """A daemonic process (a Celery worker, say) may not start processes: it scores every period itself."""
    class Daemonic:
        daemon = True

    def no_pool(*args, **kwargs):
        raise AssertionError("a daemonic process started a process pool")

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemonic())
    monkeypatch.setattr(department, "ProcessPoolExecutor", no_pool)
    values, depts = year_of_values(), departments("D1", "D2")
    every = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG)[["period_type", "period"]]
    items = score_departments_in_parallel(values, depts, NO_EXEMPTIONS, GOALS, None, CFG, every, workers=2)
    assert set(items["period"]) == set(every["period"])


@pytest.mark.parametrize("workers", [2, 1])
def test_the_builds_helper_processes_score_every_share_where_they_run(monkeypatch, workers):
    def no_pool(*args, **kwargs):
        raise AssertionError("started a process pool beside the running helpers")

    values, depts = year_of_values(), departments("D1", "D2")
    full = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=CFG)
    every = full[["period_type", "period"]].drop_duplicates()
    submitted: list[pd.DataFrame] = []
    with helper_processes(1) as pool:
        submit = pool.submit
        monkeypatch.setattr(pool, "submit", lambda fn, *args, **kwargs: submitted.append(kwargs["periods"])
                            or submit(fn, *args, **kwargs))
        monkeypatch.setattr(department, "ProcessPoolExecutor", no_pool)
        spread = score_departments_in_parallel(values, depts, NO_EXEMPTIONS, GOALS, None, CFG, every, workers=workers)
    assert len(submitted) == workers and sum(map(len, submitted)) == len(every), \
        "every share went to a helper: none was scored in the dbt thread, beside dbt's other thread"
    keys = ["dept_code", "period_type", "period", "tree", "item"]
    pd.testing.assert_frame_equal(spread.sort_values(keys).reset_index(drop=True),
                                  full.sort_values(keys).reset_index(drop=True))
