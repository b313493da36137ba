"""Validity of the published department scores against the simulator's hidden performance (issue 10).

- Spearman(score, hidden performance) per month (monthly scores) and per year (annual score against the
  year's mean hidden performance);
- stability: the share of month-to-month transitions that change grade among departments whose hidden
  performance never changed;
- responsiveness: how many periods after the planted mid-year drop the department's published grade falls
  below its grade before the drop and its score below every score it had before;
- consistency: scores outside [0, 100], portrait vs score disagreements, tier reasons that do not quote the
  published score, and out-of-rights appraisal scores the warehouse failed to reject.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from jixiao.evaluation.core import Context, Section

GRADES = ("差", "中", "良", "优")
SCORE_COLUMNS = ("overall_score", "composite_score", "mission_score", "strategy_score", "public_score", "process_score",
                 "growth_score", "superior_score", "recipients_score", "third_party_score", "peer_self_score")


def hidden_by_period(truth: dict) -> pd.DataFrame:
    """dept_code, period (YYYY-MM), hidden: the simulator's hidden performance per department and month."""
    return pd.DataFrame([(dept, period, level) for dept, months in truth["hidden_performance"].items()
                         for period, level in months.items()], columns=["dept_code", "period", "hidden"])


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation (average ranks for ties) over the pairs where both are present."""
    both = pd.DataFrame({"a": a.to_numpy(), "b": b.to_numpy()}).dropna()
    if len(both) < 3:
        return float("nan")
    return float(both["a"].rank().corr(both["b"].rank()))


def period_spearman(scores: pd.DataFrame, hidden: pd.DataFrame, period_type: str) -> pd.Series:
    """Spearman of the overall score of each period of ``period_type`` and the mean hidden performance over
    the period's months, per period."""
    label = hidden["period"] if period_type == "month" else hidden["period"].map(lambda m: _period_label(m, period_type))
    mean = hidden.assign(period=label).groupby(["dept_code", "period"], as_index=False)["hidden"].mean()
    frame = scores[scores["period_type"] == period_type].merge(mean, on=["dept_code", "period"])
    return frame.groupby("period").apply(lambda g: spearman(g["overall_score"], g["hidden"]), include_groups=False)


def grade_changes(scores: pd.DataFrame, hidden: pd.DataFrame, period_type: str = "month") -> tuple[int, int]:
    """(transitions that changed grade, transitions) between consecutive graded periods of ``period_type``,
    among departments whose hidden performance is the same in every month."""
    constant = hidden.groupby("dept_code")["hidden"].agg(lambda h: h.max() - h.min() < 1e-9)
    frame = scores[(scores["period_type"] == period_type) & scores["dept_code"].map(constant).fillna(False)]
    frame = frame.sort_values(["dept_code", "period"])
    previous = frame.groupby("dept_code")["grade"].shift()
    pairs = frame["grade"].notna() & previous.notna()
    return int((frame["grade"][pairs] != previous[pairs]).sum()), int(pairs.sum())


def drop_lag(scores: pd.DataFrame, drop: dict, period_type: str = "month") -> int | None:
    """Periods from the first period at the lower hidden performance until the department's grade is below
    its most frequent grade before the drop and its score below every score before (0 = at once; None =
    never within the data)."""
    first = drop["first_period"] if period_type == "month" else _period_label(drop["first_period"], period_type)
    own = scores[(scores["period_type"] == period_type) & (scores["dept_code"] == drop["dept_code"])]
    own = own.dropna(subset=["overall_score"]).sort_values("period")
    before, after = own[own["period"] < first], own[own["period"] >= first]
    if before.empty or after.empty:
        return None
    usual = before["grade"].map(GRADES.index).mode().max()
    shown = (after["grade"].map(GRADES.index) < usual) & (after["overall_score"] < before["overall_score"].min())
    return int(np.argmax(shown.to_numpy())) if shown.any() else None


def _period_label(month: str, period_type: str) -> str:
    year, number = month[:4], int(month[5:7])
    return f"{year}-Q{(number - 1) // 3 + 1}" if period_type == "quarter" else year


def evaluate(context: Context) -> Section:
    section = Section("department scores (issue 10)")
    con, truth = context.con, context.truth
    if "hidden_performance" not in truth:
        section.add("hidden performance in the truth file", "missing", note="re-run the simulator")
        return section
    scores = con.execute("select * from marts.fct_dept_score").df()
    hidden = hidden_by_period(truth)
    monthly = period_spearman(scores, hidden, "month")
    section.add("Spearman(score, hidden) per month, lowest", round(float(monthly.min()), 3), ">= 0.85",
                "median " + f"{monthly.median():.3f}; " + ", ".join(f"{p} {r:.3f}" for p, r in monthly.items()))
    yearly = period_spearman(scores, hidden, "year")
    section.add("Spearman(score, hidden) per year, lowest", round(float(yearly.min()), 3), ">= 0.95",
                ", ".join(f"{p} {r:.3f}" for p, r in yearly.items()))
    changed, transitions = grade_changes(scores, hidden)
    section.add("grade changes month to month, constant hidden performance", round(changed / max(transitions, 1), 4),
                "<= 0.15", f"{changed} of {transitions} transitions")
    changed_q, transitions_q = grade_changes(scores, hidden, "quarter")
    section.add("grade changes quarter to quarter, constant hidden performance",
                round(changed_q / max(transitions_q, 1), 4), note=f"{changed_q} of {transitions_q} transitions")
    drop = truth.get("performance_drop")
    if drop:
        lag = drop_lag(scores, drop)
        section.add("periods until the planted drop shows (months)", lag if lag is not None else "never", "<= 1",
                    f"{drop['dept_code']} from {drop['first_period']}: hidden {drop['before']} → {drop['after']}; "
                    "0 = in the first month at the lower level")
        lag_q = drop_lag(scores, drop, "quarter")
        section.add("periods until the planted drop shows (quarters)", lag_q if lag_q is not None else "never", "<= 1")
        own = scores[(scores["dept_code"] == drop["dept_code"]) & (scores["period_type"] == "month")].sort_values("period")
        section.details["planted_drop_months"] = own[["period", "overall_score", "grade"]].to_dict("records")
    outside = sum(int(scores[c].lt(0).sum() + scores[c].gt(100).sum()) for c in SCORE_COLUMNS)
    section.add("score values outside [0, 100]", outside, "== 0")
    portrait = con.execute("""
        select count(*) filter (where p.dimension_score is distinct from case p.dimension
                                 when 'mission' then s.mission_score when 'strategy' then s.strategy_score
                                 when 'public' then s.public_score when 'process' then s.process_score
                                 when 'growth' then s.growth_score end), count(*)
        from marts.fct_dept_portrait p join marts.fct_dept_score s using (dept_code, period_type, period)""").fetchone()
    section.add("portrait rows disagreeing with fct_dept_score", portrait[0], "== 0", f"of {portrait[1]} rows")
    reasons = con.execute("""
        select count(*) filter (where overall_score is not null
                                 and not starts_with(reason, '综合得分 ' || printf('%.1f', overall_score))), count(*)
        from marts.fct_dept_tier""").fetchone()
    section.add("tier reasons not quoting the published score", reasons[0], "== 0", f"of {reasons[1]} rows")
    planted = {s["event_id"] for s in truth.get("out_of_rights_scores", [])}
    if planted:
        rejected = {r[0] for r in con.execute("select event_id from marts.fct_appraisal_rejected_score").fetchall()}
        section.add("planted out-of-rights appraisal scores rejected", len(planted & rejected) / len(planted), ">= 1.0",
                    f"{len(planted & rejected)} of {len(planted)}; {len(rejected - planted)} other rejections")
    section.details["quarterly_spearman"] = period_spearman(scores, hidden, "quarter").round(4).to_dict()
    return section
