"""Hand-computed department scoring: the 360 combination, exemptions, appraisal carry-forward, grades, tiers, pairs."""
from __future__ import annotations

import pandas as pd
import pytest

from jixiao.scoring import grade
from jixiao.scoring.department import appraisal_components, dept_score_table, score_departments
from jixiao.scoring.tiers import assign_tiers

GOALS = pd.DataFrame({"goal_code": ["G1", "G2"], "mission_code": ["M1", "M1"]})
NO_EXEMPTIONS = pd.DataFrame(columns=["exemption_id", "dept_code", "indicator_code", "period", "reason", "approver", "approved_on"])


def _values(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["dept_code", "period", "indicator_code", "dimension", "direction", "target", "value"])
    return frame.assign(indicator_name=frame["indicator_code"], weight=1.0,
                        goal_code=frame["dimension"].map({"mission": "G1"}).fillna("G2"))


def _one_department(values=None, exemptions=NO_EXEMPTIONS):
    # A 81/90 → 90; REVIEW 76/95 → 80; HOTLINE 90/90 → 100; B lower, 20 vs target 10 → 50.
    values = values if values is not None else _values([
        ("D1", "2026-01", "A", "mission", "higher", 90, 81.0),
        ("D1", "2026-01", "REVIEW_SATISFACTION", "public", "higher", 95, 76.0),
        ("D1", "2026-01", "HOTLINE_SATISFACTION", "public", "higher", 90, 90.0),
        ("D1", "2026-01", "B", "process", "lower", 10, 20.0),
    ])
    departments = pd.DataFrame({"dept_code": ["D1"], "dept_type": ["T"], "region_code": ["R"]})
    appraisal = pd.DataFrame([("D1", "2026-01", "third_party", 60.0), ("D1", "2026-01", "third_party", 80.0),
                              ("D1", "2026-01", "peer", 90.0), ("D1", "2026-01", "self", 100.0),
                              ("D1", "2026-01", "superior", 10.0)],
                             columns=["dept_code", "period", "evaluator_type", "score"])
    items = score_departments(values, departments, appraisal, exemptions, GOALS)
    return items, dept_score_table(items, departments)


def test_360_overall_combines_the_composite_and_the_evaluators_by_their_weights():
    _, table = _one_department()
    row = table.iloc[0]
    assert row["mission_score"] == pytest.approx(90)
    assert row["public_score"] == pytest.approx(90)
    assert row["process_score"] == pytest.approx(50)
    assert row["composite_score"] == pytest.approx(230 / 3), "dimensions equally weighted"
    assert row["recipients_score"] == pytest.approx(83), "好差评 76 % and 12345 90 % as points"
    assert row["third_party_score"] == pytest.approx(70)
    assert row["peer_self_score"] == pytest.approx(95)
    expected = 0.4 * 230 / 3 + 0.3 * 83 + 0.2 * 70 + 0.1 * 95
    assert row["overall_score"] == pytest.approx(expected)  # 79.07: superior appraisal is inside the composite only
    assert row["grade"] == "中" and row["rank_in_type"] == 1


def test_contributions_add_up_to_the_overall_score():
    items, table = _one_department()
    leaves = items[(items["tree"] == "overall") & (items["kind"] == "indicator")]
    assert leaves["contribution"].sum() == pytest.approx(table.iloc[0]["overall_score"])


def test_an_exemption_removes_the_missed_indicator_and_renormalises_its_dimension():
    exemptions = pd.DataFrame([("E1", "D1", "REVIEW_SATISFACTION", "2026-01", "容错", "绩效办", "2026-02-01"),
                               ("E2", "D1", "HOTLINE_SATISFACTION", "2026-01", "达标也登记", "绩效办", "2026-02-01")],
                              columns=NO_EXEMPTIONS.columns)
    items, table = _one_department(exemptions=exemptions)
    overall = items[items["tree"] == "overall"].set_index("item")
    assert overall.loc["REVIEW_SATISFACTION", "exempted"] and pd.isna(overall.loc["REVIEW_SATISFACTION", "contribution"])
    assert overall.loc["REVIEW_SATISFACTION", "exemption"].startswith("E1")
    assert not overall.loc["HOTLINE_SATISFACTION", "exempted"], "a target that was met is not exempted"
    assert table.iloc[0]["public_score"] == pytest.approx(100), "only 12345 satisfaction left in the dimension"
    assert overall.loc["HOTLINE_SATISFACTION", "effective_weight"] == pytest.approx(overall.loc["dimension:public", "effective_weight"])
    assert overall.loc["dimension:public", "baseline_score"] == pytest.approx(90)
    assert overall.loc["360:recipients", "score"] == pytest.approx(83), "the 360 recipients part is not an exempted indicator"
    assert table.iloc[0]["n_exempted"] == 1


def test_appraisals_count_for_their_month_and_the_next_two():
    appraisal = pd.DataFrame([("D1", "2026-03", "peer", 80.0), ("D1", "2026-03", "peer", 90.0), ("D1", "2025-12", "peer", 50.0)],
                             columns=["dept_code", "period", "evaluator_type", "score"])
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    found = appraisal_components(appraisal, months, 3).set_index("period")["value"].to_dict()
    assert found == {"2026-01": 50.0, "2026-02": 50.0, "2026-03": 85.0, "2026-04": 85.0, "2026-05": 85.0}


def test_grade_boundaries():
    assert list(grade(pd.Series([90.0, 89.99, 80.0, 79.99, 60.0, 59.99]))) == ["优", "良", "良", "中", "中", "差"]


def _scores(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["dept_code", "period", "dept_type", "overall_score"])
    frame["overall_status"] = frame["overall_score"].isna().map({True: "no_data", False: "ok"})
    frame["rank_in_type"] = frame.groupby(["period", "dept_type"])["overall_score"].rank(method="min", ascending=False).astype("Int64")
    frame["n_scored_in_type"] = frame.groupby(["period", "dept_type"])["overall_score"].transform("count")
    return frame


def test_tiers_and_pairs_within_a_type():
    tiers = assign_tiers(_scores([
        ("A", "2026-01", "T", 92.0), ("B", "2026-01", "T", 85.0), ("C", "2026-01", "T", 70.0),
        ("D", "2026-01", "T", 58.0), ("E", "2026-01", "T", None),
        ("A", "2026-02", "T", 92.0), ("B", "2026-02", "T", 85.0), ("C", "2026-02", "T", 70.0),
        ("D", "2026-02", "T", 55.0), ("E", "2026-02", "T", 50.0),
        ("X", "2026-02", "U", 95.0),
    ])).set_index(["dept_code", "period"])
    february = tiers.xs("2026-02", level="period")
    assert february["tier_code"].to_dict() == {"A": "pilot", "B": "standard", "C": "partner", "D": "diagnosis",
                                               "E": "partner", "X": "pilot"}
    assert tiers.loc[("D", "2026-01"), "tier_code"] == "partner", "bottom only one month so far"
    assert tiers.loc[("E", "2026-01"), "tier_code"] == "unscored"
    # mentees from the lowest up (E 50, C 70), mentors from the highest down (A 92, B 85), never X (another type)
    assert february.loc["E", "partner_dept_code"] == "A" and february.loc["C", "partner_dept_code"] == "B"
    assert tiers.loc[("D", "2026-01"), "partner_dept_code"] == "A" and tiers.loc[("C", "2026-01"), "partner_dept_code"] == "B"
    assert "连续 2 个月" in february.loc["D", "reason"] and february.loc["D", "tier"] == "组织健康度诊断"
    assert february.loc["A", "tier"] == "改革试点权" and february.loc["C", "tier"] == "伙伴帮扶计划"


def test_diagnosis_needs_consecutive_months_across_a_year_end():
    tiers = assign_tiers(_scores([
        ("D", "2025-11", "T", 50.0), ("D", "2025-12", "T", None), ("D", "2026-01", "T", 40.0), ("D", "2026-02", "T", 45.0),
    ])).set_index("period")["tier_code"]
    assert tiers.to_dict() == {"2025-11": "partner", "2025-12": "unscored", "2026-01": "partner", "2026-02": "diagnosis"}


def test_pilot_needs_the_minimum_score_and_a_mentor_takes_at_most_two():
    tiers = assign_tiers(_scores([("M", "2026-01", "T", 81.0), ("P", "2026-01", "T", 79.0), ("Q", "2026-01", "T", 70.0),
                                  ("R", "2026-01", "T", 65.0), ("S", "2026-01", "U", 75.0)])).set_index("dept_code")
    assert tiers.loc["M", "tier_code"] == "pilot"
    assert tiers.loc["S", "tier_code"] == "partner" and pd.isna(tiers.loc["S", "partner_dept_code"])
    assert "无 ≥ 80 分" in tiers.loc["S", "reason"]
    assert list(tiers.loc[["R", "Q", "P"], "partner_dept_code"].fillna("-")) == ["M", "M", "-"]
    assert "名额已满" in tiers.loc["P", "reason"]
