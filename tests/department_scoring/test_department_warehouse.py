"""Department scoring inside a full ``dbt build`` of the landing fixture, checked against figures computed by
hand from the fixture's events (not by running the scoring code again)."""
from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest

from jixiao.scoring.grades import half_up
from landing_fixture import fixture_departments


def _scores(con, sql: str, *params):
    return con.execute(sql, list(params)).df()


def test_every_department_is_scored_for_every_month_quarter_and_year_and_gets_a_tier(con):
    departments = con.execute("select count(*) from marts.dim_department").fetchone()[0]
    counts = dict(con.execute("select period_type, count(*) from marts.fct_dept_score group by 1").fetchall())
    assert counts == {"month": 3 * departments, "quarter": departments, "year": departments}
    fixture = {d["dept_code"] for d in fixture_departments()}
    scored = _scores(con, "select dept_code, period_type, period, overall_score, grade from marts.fct_dept_score")
    in_fixture = scored[scored["dept_code"].isin(fixture)]
    assert in_fixture["overall_score"].notna().all(), "January and February are scored too (the Q1 appraisal)"
    assert (scored["overall_score"].isna() == scored["grade"].isna()).all()
    tiers = _scores(con, "select dept_code, period_type, period, tier_code from marts.fct_dept_tier")
    both = scored.merge(tiers, on=["dept_code", "period_type", "period"])
    assert len(both) == len(scored) and ((both["overall_score"].isna()) == (both["tier_code"] == "unscored")).all()


def _third_party_scores(events, dept) -> list[float]:
    return [e["payload"]["score"] for e in events if e["source"] == "appraisal" and e["dept_code"] == dept
            and e["payload"]["evaluator_type"] == "third_party" and not e["event_id"].endswith("-x")]


def test_the_third_party_part_is_the_quarters_mean_accepted_score(con, scored_warehouse):
    events = scored_warehouse["events"]
    for dept in [d["dept_code"] for d in fixture_departments()][:6]:
        expected = sum(_third_party_scores(events, dept)) / len(_third_party_scores(events, dept))
        rows = dict(con.execute("select period, third_party_score from marts.fct_dept_score where dept_code = ?",
                                [dept]).fetchall())
        published = float(half_up(expected, 1))
        assert rows == {"2026-01": published, "2026-02": published, "2026-03": published, "2026-Q1": published,
                        "2026": published}, dept


def test_satisfaction_is_credibility_weighted_toward_the_peer_group(con, scored_warehouse):
    events = scored_warehouse["events"]
    groups = dict(con.execute("select dept_code, peer_group from marts.dim_department").fetchall())
    satisfied, reviews = defaultdict(int), defaultdict(int)
    for e in {e["event_id"]: e for e in events}.values():
        if e["event_type"] == "review":
            reviews[e["dept_code"]] += 1
            satisfied[e["dept_code"]] += e["payload"]["rating"] >= 4
    rows = _scores(con, """select dept_code, sample_size, raw_value, prior_value, shrinkage, value
                           from marts.fct_dept_score_contribution
                           where period_type = 'year' and tree = 'overall' and item = 'REVIEW_SATISFACTION'
                             and sample_size > 0""").set_index("dept_code")
    assert len(rows) == len(reviews)
    for dept, row in rows.iterrows():
        peers = [d for d in reviews if groups[d] == groups[dept]]
        assert row["sample_size"] == reviews[dept] == 9
        assert row["raw_value"] == pytest.approx(100 * satisfied[dept] / reviews[dept])
        assert row["prior_value"] == pytest.approx(100 * sum(satisfied[d] for d in peers) / sum(reviews[d] for d in peers))
        assert row["value"] == pytest.approx((1 - row["shrinkage"]) * row["raw_value"] + row["shrinkage"] * row["prior_value"])
        assert 0 <= row["shrinkage"] <= 1


def test_published_scores_round_half_up_the_contributions_that_explain_them(con):
    rows = _scores(con, """
        select s.dept_code, s.period_type, s.period, s.overall_score, c.total, c.root
        from marts.fct_dept_score s
        join (select dept_code, period_type, period, sum(contribution) filter (where kind = 'indicator') as total,
                     any_value(score) filter (where item = 'overall') as root
              from marts.fct_dept_score_contribution where tree = 'overall' group by all) c
          using (dept_code, period_type, period)
        where s.overall_score is not null""")
    assert len(rows) > 0
    assert (rows["total"] - rows["root"]).abs().max() < 1e-9
    assert (rows["overall_score"] == half_up(rows["root"].clip(0, 100), 1)).all()
    assert rows["overall_score"].between(0, 100).all()


def test_a_type_of_one_department_is_ranked_in_its_peer_group(con):
    row = con.execute("""select peer_group, n_scored_in_peer_group from marts.fct_dept_score
                         where dept_code = 'ZJ-YJJ' and period_type = 'year'""").fetchone()
    members = con.execute("select count(*) from marts.dim_department where peer_group = ?", [row[0]]).fetchone()[0]
    assert row[0] == "MARKET_REG" and members >= 3
    fixture_members = sum(d["dept_type"] in ("SCJG", "YJJ") for d in fixture_departments())
    assert row[1] == fixture_members == 3


def test_pairs_are_within_a_peer_group_and_mentors_are_strong(con):
    pairs = con.execute("select * from marts.fct_partner_pair").df()
    assert len(pairs) > 0
    assert (pairs["mentor_peer_group"] == pairs["peer_group"]).all()
    assert (pairs["mentor_score"] >= 80).all() and (pairs["mentee_score"] < 80).all()


def test_rights_list_rejections_are_reported_and_count_nowhere(con, scored_warehouse):
    violations = scored_warehouse["violations"]
    rejected = con.execute("select event_id, rejection_reason from marts.fct_appraisal_rejected_score").df()
    assert set(rejected["event_id"]) == {v["event_id"] for v in violations}
    assert rejected["rejection_reason"].str.contains("权责清单").all()
    low = con.execute("select count(*) from marts.fct_indicator_value where indicator_code like 'APPRAISAL_%' and value < 30"
                      ).fetchone()[0]
    assert low == 0, "the rejected scores of 5 do not reach the appraisal indicators"


@pytest.mark.parametrize(("exemption_id", "indicator", "month"), [("RC-2026-001", "BUDGET_EXECUTION", "2026-02"),
                                                               ("RC-2026-002", "SPECIAL_FUND_DISBURSEMENT", "2026-03")])
def test_an_exemption_applies_only_to_a_missed_month_and_says_what_it_changed(con, scored_warehouse, exemption_id,
                                                                               indicator, month):
    # ZJ-CZJ's only project is its special fund: both indicators are its disbursements to date / its allocation
    events = [e for e in {e["event_id"]: e for e in scored_warehouse["events"]}.values() if e["dept_code"] == "ZJ-CZJ"]
    allocated = sum(e["payload"]["amount"] for e in events if e["event_type"] == "budget_allocated")
    disbursed = sum(e["payload"]["amount"] for e in events if e["event_type"] == "disbursement"
                    and e["occurred_at"][:7] <= month)
    execution = 100 * disbursed / allocated
    missed = execution < 90 * int(month[5:]) / 12  # 序时进度: 90 % of the year, pro rata
    audit = con.execute("select * from marts.fct_exemption_audit where exemption_id = ?", [exemption_id]).df().iloc[0]
    assert audit["indicator_value"] == pytest.approx(execution)
    assert audit["status"] == ("applied" if missed else "target_met")
    item = con.execute("""select status, exempted, exclusion_reason, baseline_contribution, contribution
                          from marts.fct_dept_score_contribution where dept_code = 'ZJ-CZJ' and period_type = 'month'
                            and period = ? and tree = 'overall' and item = ?""", [month, indicator]).df().iloc[0]
    assert bool(item["exempted"]) == missed
    if missed:
        assert item["status"] == "excluded" and item["exclusion_reason"].startswith(f"{exemption_id}：")
        assert audit["contribution_removed"] == pytest.approx(item["baseline_contribution"])
        assert audit["overall_change"] == pytest.approx(audit["overall_with"] - audit["overall_without"])


def test_new_marts_are_exported_to_parquet(scored_warehouse):
    marts_dir = scored_warehouse["cfg"].marts_dir
    for mart in ("fct_dept_score", "fct_dept_tier", "fct_partner_pair", "fct_dept_score_contribution",
                 "fct_exemption_audit", "fct_appraisal_rejected_score", "fct_dept_portrait"):
        assert (marts_dir / f"{mart}.parquet").exists()
    with duckdb.connect() as reader:
        assert reader.execute(f"select count(*) from '{marts_dir / 'fct_dept_score.parquet'}'").fetchone()[0] > 0
