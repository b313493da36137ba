"""Department scoring rules on hand-made inputs, against hand-computed results: the 360 parts, the self-report
cap, independent sources first, 容错 exemptions and exclusions, period pooling, published rounding, grades,
ranks and tiers within a peer group."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jixiao.scoring.department as department
from jixiao.scoring.department import SCORE_INPUTS, attainment_ratios, dept_score_table, published, score_departments
from jixiao.scoring.normalise import ratio_to_target
from jixiao.scoring.tiers import assign_tiers
from scoring_inputs import GOALS, NO_EXEMPTIONS, config, departments, indicator_values


def score(values, depts=None, exemptions=NO_EXEMPTIONS, exclusions=None, cfg=None):
    depts = depts if depts is not None else departments("D1")
    cfg = cfg or config()
    items = score_departments(values, depts, exemptions, GOALS, exclusions=exclusions, config=cfg)
    return items, dept_score_table(items, depts, cfg)


def overall_items(items, dept="D1", period="2026-01", period_type="month"):
    return items[(items["tree"] == "overall") & (items["dept_code"] == dept) & (items["period"] == period)
                 & (items["period_type"] == period_type)].set_index("item")


ONE_MONTH = [
    ("D1", "2026-01", "A", 81.0),                       # 81 / 90 → 90
    ("D1", "2026-01", "B", 20.0),                       # lower is better: 10 / 20 → 50
    ("D1", "2026-01", "REVIEW_SATISFACTION", 75.0, 3, 4),
    ("D1", "2026-01", "HOTLINE_SATISFACTION", 100.0, 1, 1),
    ("D1", "2026-01", "APPRAISAL_SUPERIOR", 60.0),
    ("D1", "2026-01", "APPRAISAL_THIRD_PARTY", 70.0),
    ("D1", "2026-01", "APPRAISAL_PEER", 90.0),
    ("D1", "2026-01", "APPRAISAL_SELF", 100.0),
]


def test_360_parts_each_count_their_own_indicators_once():
    items, table = score(indicator_values(ONE_MONTH))
    row = table.iloc[0]
    assert (row["mission_score"], row["process_score"], row["composite_score"]) == (90.0, 50.0, 70.0)
    assert row["superior_score"] == 65.0, "the composite and the superior's appraisal, equally"
    assert row["recipients_score"] == 87.5, "好差评 75 % and 12345 100 % as points, not in the composite"
    assert row["third_party_score"] == 70.0
    assert row["peer_self_score"] == 92.5, "self (weight 0.5 of 1.5) capped to 25 %: 0.75 × 90 + 0.25 × 100"
    assert row["overall_score"] == 75.5  # 0.4 × 65 + 0.3 × 87.5 + 0.2 × 70 + 0.1 × 92.5
    assert row["grade"] == "中" and row["rank_in_peer_group"] == 1
    assert row["self_reported_share"] == pytest.approx(0.1 * 0.25)
    leaves = overall_items(items)
    assert leaves.loc[leaves["kind"] == "indicator", "contribution"].sum() == pytest.approx(75.5)
    assert leaves.loc["composite", "parent"] == "360:superior"


def test_self_reports_are_capped_and_never_score_a_dimension_alone():
    values = indicator_values([("D1", "2026-01", "B", 20.0), ("D1", "2026-01", "SR_PROCESS", 50.0),
                               ("D1", "2026-01", "SR_GROWTH", 50.0), ("D1", "2026-01", "A", 90.0)])
    items, table = score(values)
    nodes = overall_items(items)
    # process: independent B 50 (weight 1), self-reported 100 (weight 3 → 75 % declared) capped to 25 %
    assert nodes.loc["dimension:process", "score"] == pytest.approx(0.75 * 50 + 0.25 * 100)
    assert nodes.loc["SR_PROCESS", "effective_weight"] / nodes.loc["dimension:process", "effective_weight"] == pytest.approx(0.25)
    assert nodes.loc["dimension:growth", "status"] == "capped" and np.isnan(nodes.loc["dimension:growth", "score"])
    assert table.iloc[0]["growth_score"] is None or np.isnan(table.iloc[0]["growth_score"])
    assert table.iloc[0]["composite_score"] == pytest.approx(half((100 + 62.5) / 2))


def half(x):
    return float(published(pd.Series([x]), 1).iloc[0])


def test_an_independent_source_takes_precedence_over_the_self_report():
    with_review = indicator_values([("D1", "2026-01", "SR_SATISFACTION", 99.0), ("D1", "2026-01", "A", 45.0),
                                    ("D1", "2026-01", "REVIEW_SATISFACTION", 50.0, 1, 2)])
    items, _ = score(with_review)
    nodes = overall_items(items)
    assert nodes.loc["SR_SATISFACTION", "status"] == "excluded"
    assert "独立来源（REVIEW_SATISFACTION）有数据" in nodes.loc["SR_SATISFACTION", "exclusion_reason"]
    assert nodes.loc["dimension:mission", "score"] == pytest.approx(50.0), "A 45 / 90 alone"
    alone = indicator_values([("D1", "2026-01", "SR_SATISFACTION", 99.0), ("D1", "2026-01", "A", 45.0)])
    nodes = overall_items(score(alone)[0])
    assert nodes.loc["SR_SATISFACTION", "status"] == "ok", "no independent figure that month: the self-report counts"
    assert nodes.loc["dimension:mission", "score"] == pytest.approx(0.75 * 50 + 0.25 * 100)


def test_an_exemption_takes_out_a_missed_month_only_and_changes_no_other_department():
    values = indicator_values([("D1", "2026-01", "A", 45.0), ("D1", "2026-01", "B", 5.0),
                               ("D1", "2026-01", "R", 50.0, 1, 2), ("D2", "2026-01", "A", 45.0),
                               ("D2", "2026-01", "B", 5.0), ("D2", "2026-01", "R", 100.0, 2, 2)])
    exemptions = pd.DataFrame([("RC-1", "D1", "A", "2026-01", "上级资金下达滞后", "绩效办", "2026-02-01"),
                               ("RC-2", "D1", "B", "2026-01", "达标也登记", "绩效办", "2026-02-01"),
                               ("RC-3", "D1", "R", "2026-01", "样本过少", "绩效办", "2026-02-01")],
                              columns=NO_EXEMPTIONS.columns)
    depts, cfg = departments("D1", "D2"), config(evaluation_360__min_coverage=0.0)
    items, table = score(values, depts, exemptions, cfg=cfg)
    _, untouched = score(values, depts, cfg=cfg)
    nodes = overall_items(items)
    assert nodes.loc["A", "exempted"] and nodes.loc["A", "status"] == "excluded"
    assert nodes.loc["A", "exclusion_reason"] == "RC-1：上级资金下达滞后"
    assert not nodes.loc["B", "exempted"], "B met its target: nothing to excuse"
    assert nodes.loc["dimension:mission", "status"] == "excluded" and nodes.loc["dimension:mission", "baseline_score"] == 50.0
    assert nodes.loc["R", "exempted"]
    d2 = table.set_index("dept_code").loc["D2"]
    assert d2["overall_score"] == untouched.set_index("dept_code").loc["D2", "overall_score"], \
        "the exempted month still counts in D2's credibility prior"
    assert table.set_index("dept_code").loc["D1", "n_exempted"] == 2


def test_the_score_table_needs_only_its_inputs_of_the_overall_tree():
    """fct_dept_score reads only SCORE_INPUTS of the overall tree's items."""
    values = indicator_values([*ONE_MONTH, ("D2", "2026-01", "A", 45.0), ("D2", "2026-01", "B", 5.0),
                               ("D2", "2026-01", "REVIEW_SATISFACTION", 50.0, 1, 2)])
    depts, cfg = departments("D1", "D2"), config()
    items = score_departments(values, depts, NO_EXEMPTIONS, GOALS, config=cfg)
    narrow = items.loc[items["tree"] == "overall", list(SCORE_INPUTS)]
    pd.testing.assert_frame_equal(dept_score_table(narrow, depts, cfg), dept_score_table(items, depts, cfg))


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_the_engine_scores_the_attainment_ratio_exactly_as_the_value_against_its_target(direction):
    values = np.array([0.0, -3.0, 7.3, 45.0, 90.0, 123.456, 1e-9, np.nan])
    for target in (90.0, 7.5, 0.1 + 0.2):
        frame = pd.DataFrame({"value": values, "target": target, "direction": direction, "scored_in": "composite"})
        on_ratio = ratio_to_target(attainment_ratios(frame), None, "higher", target=1.0)
        np.testing.assert_array_equal(on_ratio, ratio_to_target(values, None, direction, target=target))
    points = pd.DataFrame({"value": values, "target": 90.0, "direction": direction, "scored_in": "360:recipients"})
    np.testing.assert_array_equal(attainment_ratios(points), values)  # 360 leaves are points, scored as they are


def test_months_with_different_targets_share_one_engine_run(monkeypatch):
    """A year-to-date target changes every month; each month is still held to its own target, in one run per tree."""
    values = indicator_values([("D1", m, code, v) for m in ("2026-01", "2026-02")
                               for code, v in (("Y", 45.0), ("B", 20.0), ("APPRAISAL_SUPERIOR", 80.0))])
    values.loc[values["indicator_code"] == "Y", "target"] = np.where(
        values.loc[values["indicator_code"] == "Y", "period"] == "2026-01", 7.5, 15.0) * 6
    runs = []
    engine = department.score
    monkeypatch.setattr(department, "score", lambda *args, **kwargs: runs.append(1) or engine(*args, **kwargs))
    items, _ = score(values)
    assert overall_items(items, period="2026-01").loc["Y", "score"] == 100.0, "45 against a target of 45"
    assert overall_items(items, period="2026-02").loc["Y", "score"] == 50.0, "45 against a target of 90"
    assert overall_items(items, period="2026-02").loc["Y", "target"] == 90.0
    assert len(runs) == 2, "one engine run per tree for both months"


def test_exclusions_take_months_out_of_every_window_with_their_reason():
    values = indicator_values([("D1", m, "A", v) for m, v in (("2026-01", 90.0), ("2026-02", 45.0), ("2026-03", 45.0))]
                              + [("D1", m, "B", 10.0) for m in ("2026-01", "2026-02", "2026-03")])
    exclusions = pd.DataFrame([("D1", "2026-02", "A", "僵尸指标：年变化率 < 1%"), ("D1", "2026-03", "A", "待人工复核")],
                              columns=["dept_code", "period", "indicator_code", "reason"])
    items, _ = score(values, exclusions=exclusions, cfg=config(periods__month_window=3))
    march = overall_items(items, period="2026-03")
    assert march.loc["A", "value"] == 90.0, "only January is left in the March window"
    assert march.loc["A", "months_excluded"] == 2 and march.loc["A", "status"] == "ok"
    assert march.loc["A", "exclusion_reason"] == "僵尸指标：年变化率 < 1%；待人工复核"
    february_alone = overall_items(score(values, exclusions=exclusions)[0], period="2026-02")
    assert february_alone.loc["A", "status"] == "excluded" and not february_alone.loc["A", "exempted"]


def test_months_pool_into_rolling_months_quarters_and_the_year_by_each_indicators_rule():
    rows = [("D1", "2026-01", "R", 50.0, 1, 2), ("D1", "2026-02", "R", 75.0, 3, 4), ("D1", "2026-03", "R", None),
            ("D1", "2026-04", "R", 0.0, 0, 2),
            ("D1", "2026-01", "A", 60.0), ("D1", "2026-02", "A", 90.0), ("D1", "2026-03", "A", None),
            ("D1", "2026-04", "A", 30.0),
            ("D1", "2026-01", "Y", 10.0), ("D1", "2026-02", "Y", 20.0), ("D1", "2026-03", "Y", 30.0), ("D1", "2026-04", "Y", 40.0),
            ("D1", "2026-03", "APPRAISAL_SUPERIOR", 80.0, 160.0, 2.0), ("D1", "2026-04", "APPRAISAL_SUPERIOR", 60.0, 60.0, 1.0)]
    cfg = config(periods__types=["month", "quarter", "year"], periods__month_window=3)
    items, table = score(indicator_values(rows), cfg=cfg)
    april = overall_items(items, period="2026-04")
    assert april.loc["R", "raw_value"] == pytest.approx(100 * 3 / 6), "Feb–Apr: 3 successes in 6 cases"
    assert april.loc["R", "sample_size"] == 6 and april.loc["R", "months_with_data"] == 2
    assert april.loc["A", "value"] == pytest.approx(60.0), "mean of February 90 and April 30"
    assert april.loc["Y", "value"] == 40.0, "latest: the window's last month"
    assert april.loc["APPRAISAL_SUPERIOR", "value"] == pytest.approx(220 / 3), "Σ scores / Σ scores counted"
    q1 = overall_items(items, period="2026-Q1", period_type="quarter")
    assert q1.loc["R", "raw_value"] == pytest.approx(100 * 4 / 6) and q1.loc["A", "value"] == 75.0
    assert q1.loc["Y", "value"] == 30.0
    year = overall_items(items, period="2026", period_type="year")
    assert year.loc["R", "raw_value"] == pytest.approx(100 * 4 / 8) and year.loc["Y", "value"] == 40.0
    assert set(table["period_type"]) == {"month", "quarter", "year"}
    assert set(table.loc[table["period_type"] == "quarter", "period"]) == {"2026-Q1", "2026-Q2"}


def test_a_decaying_window_weighs_recent_months_more_and_counts_effective_cases():
    rows = [("D1", "2026-01", "R", 100.0, 4, 4), ("D1", "2026-02", "R", 50.0, 2, 4), ("D1", "2026-03", "R", 0.0, 0, 4),
            ("D1", "2026-01", "A", 90.0), ("D1", "2026-02", "A", 45.0), ("D1", "2026-03", "A", 0.0)]
    cfg = config(periods__month_window=3, periods__month_decay=0.5)
    march = overall_items(score(indicator_values(rows), cfg=cfg)[0], period="2026-03")
    weights = np.array([0.25, 0.5, 1.0])                                   # January, February, March
    assert march.loc["R", "raw_value"] == pytest.approx((weights * [100, 50, 0] * 4).sum() / (weights * 4).sum())
    assert march.loc["R", "sample_size"] == pytest.approx((weights * 4).sum() ** 2 / (weights ** 2 * 4).sum())
    assert march.loc["A", "value"] == pytest.approx((weights * [90, 45, 0]).sum() / weights.sum())


def test_rates_on_few_cases_lean_toward_the_peer_group():
    values = indicator_values([("D1", "2026-01", "R", 100.0, 1, 1), ("D2", "2026-01", "R", 0.0, 0, 1),
                               ("D3", "2026-01", "R", 50.0, 20, 40), ("D4", "2026-01", "R", 80.0, 32, 40)])
    items, _ = score(values, departments("D1", "D2", "D3", "D4"))
    rates = items[(items["item"] == "R") & (items["tree"] == "overall")].set_index("dept_code")
    successes, cases = np.array([1, 0, 20, 32]), np.array([1, 1, 40, 40])
    mean = successes.sum() / cases.sum()                                   # 53 / 82, one peer group
    spread = (cases * (successes / cases - mean) ** 2).sum()
    between = (spread - 3 * mean * (1 - mean)) / (cases.sum() - (cases ** 2).sum() / cases.sum() - 3)
    kappa = mean * (1 - mean) / between - 1                                # ≈ 4.51 cases
    assert kappa == pytest.approx(4.507, abs=1e-3)
    assert rates["prior_value"].tolist() == pytest.approx([100 * mean] * 4)
    assert rates["shrinkage"].tolist() == pytest.approx([kappa / (kappa + n) for n in cases])
    prior = 100 * mean
    for dept in rates.index:
        b = rates.loc[dept, "shrinkage"]
        assert rates.loc[dept, "value"] == pytest.approx((1 - b) * rates.loc[dept, "raw_value"] + b * prior)
    assert rates.loc["D1", "shrinkage"] > 0.5 > rates.loc["D3", "shrinkage"], "one case leans far more than forty"
    assert rates.loc["D1", "value"] < 100 and rates.loc["D2", "value"] > 0


@pytest.mark.parametrize(("raw", "shown", "grade"), [(79.95, 80.0, "良"), (79.94999, 79.9, "中"), (89.95, 90.0, "优"),
                                                      (59.95, 60.0, "中"), (0.25, 0.3, "差"),
                                                      (100.00000000000001, 100.0, "优")])
def test_scores_are_published_half_up_and_graded_as_published(raw, shown, grade):
    assert half(raw) == shown
    values = indicator_values([("D1", "2026-01", "APPRAISAL_THIRD_PARTY", raw)])
    _, table = score(values, cfg=config(evaluation_360__min_coverage=0.0))
    assert table.iloc[0]["overall_score"] == shown and table.iloc[0]["grade"] == grade


def test_ranks_and_tiers_use_the_published_score_within_the_peer_group():
    # D1 79.96 and D2 80.04 both publish 80.0: they tie for first, both 良, neither is a 伙伴帮扶 mentee
    values = indicator_values([("D1", "2026-01", "APPRAISAL_THIRD_PARTY", 79.96),
                               ("D2", "2026-01", "APPRAISAL_THIRD_PARTY", 80.04),
                               ("D3", "2026-01", "APPRAISAL_THIRD_PARTY", 70.0),
                               ("S1", "2026-01", "APPRAISAL_THIRD_PARTY", 95.0)])
    depts = pd.concat([departments("D1", "D2", "D3", peer_group="G"), departments("S1", peer_group="G")])
    _, table = score(values, depts, cfg=config(evaluation_360__min_coverage=0.0))
    ranks = table.set_index("dept_code")
    assert ranks.loc["S1", "rank_in_peer_group"] == 1, "a type of one department is ranked in its peer group"
    assert ranks.loc["D1", "rank_in_peer_group"] == ranks.loc["D2", "rank_in_peer_group"] == 2
    tiers = assign_tiers(table).set_index("dept_code")
    assert tiers.loc["D1", "tier_code"] == tiers.loc["D2", "tier_code"] == "standard"
    assert tiers.loc["D1", "reason"].startswith("综合得分 80.0，")
    assert tiers.loc["S1", "tier_code"] == "pilot" and "比较组内第 1/4 名" in tiers.loc["S1", "reason"]
    assert tiers.loc["D3", "tier_code"] == "partner" and tiers.loc["D3", "partner_dept_code"] == "S1"


def _scores(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["dept_code", "period_type", "period", "peer_group", "overall_score"])
    frame["overall_status"] = frame["overall_score"].isna().map({True: "no_data", False: "ok"})
    frame["peer_group_name"], frame["dept_name"], frame["dept_type"] = "比较组", frame["dept_code"], "T"
    frame["grade"] = None
    by = frame.groupby(["period_type", "period", "peer_group"])["overall_score"]
    frame["rank_in_peer_group"] = by.rank(method="min", ascending=False).astype("Int64")
    frame["n_scored_in_peer_group"] = by.transform("count")
    return frame


def test_tiers_and_pairs_within_a_peer_group():
    tiers = assign_tiers(_scores([
        ("A", "month", "2026-01", "T", 92.0), ("B", "month", "2026-01", "T", 85.0), ("C", "month", "2026-01", "T", 70.0),
        ("D", "month", "2026-01", "T", 58.0), ("E", "month", "2026-01", "T", None),
        ("A", "month", "2026-02", "T", 92.0), ("B", "month", "2026-02", "T", 85.0), ("C", "month", "2026-02", "T", 70.0),
        ("D", "month", "2026-02", "T", 55.0), ("E", "month", "2026-02", "T", 50.0),
        ("X", "month", "2026-02", "U", 95.0),
    ])).set_index(["dept_code", "period"])
    february = tiers.xs("2026-02", level="period")
    assert february["tier_code"].to_dict() == {"A": "pilot", "B": "standard", "C": "partner", "D": "diagnosis",
                                               "E": "partner", "X": "pilot"}
    assert tiers.loc[("D", "2026-01"), "tier_code"] == "partner", "bottom only one month so far"
    assert tiers.loc[("E", "2026-01"), "tier_code"] == "unscored"
    # mentees from the lowest up (E 50, C 70), mentors from the highest down (A 92, B 85), never X (another group)
    assert february.loc["E", "partner_dept_code"] == "A" and february.loc["C", "partner_dept_code"] == "B"
    assert "连续 2 个月" in february.loc["D", "reason"] and february.loc["D", "tier"] == "组织健康度诊断"


def test_diagnosis_needs_consecutive_periods_of_the_same_type():
    tiers = assign_tiers(_scores([
        ("D", "month", "2025-11", "T", 50.0), ("D", "month", "2025-12", "T", None), ("D", "month", "2026-01", "T", 40.0),
        ("D", "month", "2026-02", "T", 45.0), ("D", "quarter", "2025-Q4", "T", 50.0), ("D", "quarter", "2026-Q1", "T", 45.0),
        ("D", "year", "2025", "T", 55.0), ("D", "year", "2026", "T", 45.0),
    ])).set_index(["period_type", "period"])["tier_code"]
    assert tiers.to_dict() == {("month", "2025-11"): "partner", ("month", "2025-12"): "unscored",
                               ("month", "2026-01"): "partner", ("month", "2026-02"): "diagnosis",
                               ("quarter", "2025-Q4"): "partner", ("quarter", "2026-Q1"): "diagnosis",
                               ("year", "2025"): "partner", ("year", "2026"): "diagnosis"}
