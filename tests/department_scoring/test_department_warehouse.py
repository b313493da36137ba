"""Department scoring inside a full ``dbt build`` of the landing fixture."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from jixiao.scoring.department import score_departments


def test_every_department_is_scored_each_period_and_gets_a_tier(con):
    departments, periods = con.execute("select count(*), (select count(distinct period) from marts.fct_indicator_value) "
                                       "from marts.dim_department").fetchone()
    assert con.execute("select count(*) from marts.fct_dept_score").fetchone()[0] == departments * periods
    unscored_with_data = con.execute("""
        select count(*) from marts.fct_dept_score s
        where s.overall_score is null
          and exists (select 1 from marts.fct_indicator_value v
                      where v.dept_code = s.dept_code and v.period = s.period and v.has_data)""").fetchone()[0]
    assert unscored_with_data == 0, "every department with data is scored every month"
    assert con.execute("select count(*) from marts.fct_dept_score where overall_score is not null").fetchone()[0] > 0
    assert con.execute("select count(*) from marts.fct_dept_score where (overall_score is null) <> (grade is null)"
                       ).fetchone()[0] == 0
    mismatched = con.execute("""
        select count(*) from marts.fct_dept_score s join marts.fct_dept_tier t using (dept_code, period)
        where (s.overall_score is null) <> (t.tier_code = 'unscored')""").fetchone()[0]
    assert mismatched == 0
    assert con.execute("select count(*) from marts.fct_dept_tier").fetchone()[0] == departments * periods


def test_scores_stay_in_range_and_contributions_explain_them(con):
    assert con.execute("select count(*) from marts.fct_dept_score where overall_score not between 0 and 100"
                       ).fetchone()[0] == 0
    gaps = con.execute("""
        select max(abs(s.overall_score - c.total)) from marts.fct_dept_score s
        join (select dept_code, period, sum(contribution) as total from marts.fct_dept_score_contribution
              where tree = 'overall' and kind = 'indicator' group by all) c using (dept_code, period)
        where s.overall_score is not null""").fetchone()[0]
    assert gaps < 1e-9


def test_pairs_are_within_a_type_and_mentors_are_strong(con):
    pairs = con.execute("select * from marts.fct_partner_pair").df()
    assert len(pairs) > 0
    assert (pairs["mentor_dept_type"] == pairs["dept_type"]).all()
    assert (pairs["mentor_score"] >= 80).all() and (pairs["mentee_score"] < 80).all()


def test_rights_list_rejections_are_reported_and_count_nowhere(con, scored_warehouse):
    violations = scored_warehouse["violations"]
    rejected = con.execute("select event_id, rejection_reason from marts.fct_appraisal_rejected_score").df()
    assert set(rejected["event_id"]) == {v["event_id"] for v in violations}
    assert rejected["rejection_reason"].str.contains("权责清单").all()
    low = con.execute("select count(*) from marts.fct_indicator_value where indicator_code like 'APPRAISAL_%' and value < 30"
                      ).fetchone()[0]
    assert low == 0, "the rejected scores of 5 do not reach the appraisal indicators"


def _inputs(con):
    return (con.execute("select * from marts.fct_indicator_value").df(),
            con.execute("select * from marts.dim_department").df(),
            con.execute("select * from intermediate.int_appraisal__checked_scores where accepted").df(),
            con.execute("select * from reference.ref_exemptions").df(),
            con.execute("select * from reference.ref_goals").df())


def test_an_exemption_changes_exactly_the_exempted_contribution(con):
    values, departments, appraisal, exemptions, goals = _inputs(con)
    audit = con.execute("select * from marts.fct_exemption_audit").df()
    applied = audit[audit["status"] == "applied"]
    assert len(applied) > 0, "the registry's entries hit missed targets in the fixture"
    with_exemptions = score_departments(values, departments, appraisal, exemptions, goals)
    without = score_departments(values, departments, appraisal, exemptions.iloc[0:0], goals)
    keys = ["dept_code", "period", "tree", "item"]
    both = with_exemptions.merge(without, on=keys, suffixes=("", "_without"))
    changed = both[~((both["score"] - both["score_without"]).abs().fillna(0) < 1e-12)
                   | (both["score"].isna() != both["score_without"].isna())]
    exempted_cells = set(zip(applied["dept_code"], applied["period"]))
    assert set(zip(changed["dept_code"], changed["period"])) == exempted_cells
    for entry in applied.itertuples():
        cell = both[(both["dept_code"] == entry.dept_code) & (both["period"] == entry.period) & (both["tree"] == "overall")]
        cell = cell.set_index("item")
        assert pd.isna(cell.loc[entry.indicator_code, "contribution"])
        assert cell.loc[entry.indicator_code, "contribution_without"] == pytest.approx(entry.contribution_removed)
        dimension = f"dimension:{cell.loc[entry.indicator_code, 'dimension']}"
        siblings = cell[(cell["parent"] == dimension) & ~cell["exempted"]]
        assert siblings["effective_weight"].sum() == pytest.approx(cell.loc[dimension, "effective_weight"]), \
            "the other indicators of the dimension take the whole weight"
        assert entry.overall_with == pytest.approx(cell.loc["overall", "score"])
        assert entry.overall_without == pytest.approx(cell.loc["overall", "score_without"])
        assert entry.overall_change == pytest.approx(entry.overall_with - entry.overall_without)
    stored = con.execute("select dept_code, period, tree, item, score from marts.fct_dept_score_contribution").df()
    assert stored.merge(with_exemptions, on=keys, suffixes=("", "_py")).eval("abs(score - score_py) > 1e-9").sum() == 0


def test_new_marts_are_exported_to_parquet(scored_warehouse):
    marts_dir = scored_warehouse["cfg"].marts_dir
    for mart in ("fct_dept_score", "fct_dept_tier", "fct_partner_pair", "fct_dept_score_contribution",
                 "fct_exemption_audit", "fct_appraisal_rejected_score"):
        assert (marts_dir / f"{mart}.parquet").exists()
    with duckdb.connect() as reader:
        assert reader.execute(f"select count(*) from '{marts_dir / 'fct_dept_score.parquet'}'").fetchone()[0] > 0
