"""Result use (结果运用): tiers and partner pairs per department type and month, rules in the config.

First matching rule wins:

1. 组织健康度诊断 — overall < ``diagnosis.below`` in this month and the ``periods_running - 1``
   calendar months before it (a month without a score breaks the run);
2. 改革试点权 — overall >= ``pilot.min_score`` and rank within the type <= ceil(``top_share`` ×
   departments scored in the type), at least 1;
3. 伙伴帮扶计划 — overall < ``partner.below``; paired with a mentor of the same type and month
   (overall >= ``mentor_min_score``): mentees from the lowest score up, mentors from the highest
   down, round robin, at most ``max_mentees`` each; a mentee left without a mentor says so;
4. 常规管理 — every other scored department; 未评分 — no overall score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jixiao.scoring.department import load_config, month_number

TIER_CODES = ("diagnosis", "pilot", "partner", "standard", "unscored")
TIER_SCHEMA = {
    "dept_code": "varchar", "period": "varchar", "dept_type": "varchar", "overall_score": "double",
    "overall_status": "varchar", "rank_in_type": "bigint", "n_scored_in_type": "bigint", "tier_code": "varchar",
    "tier": "varchar", "partner_dept_code": "varchar", "partner_score": "double", "reason": "varchar",
}


def top_places(share: float, n_scored: int) -> int:
    """How many places of a type count as the top: ceil(share × n), at least 1."""
    return max(1, math.ceil(share * n_scored))


def assign_tiers(scores: pd.DataFrame, config: dict | None = None) -> pd.DataFrame:
    """Tier, rule, reason and partner of each department × month of ``fct_dept_score``."""
    rules = (config or load_config())["tiers"]
    frame = scores[["dept_code", "period", "dept_type", "overall_score", "overall_status",
                    "rank_in_type", "n_scored_in_type"]].copy().reset_index(drop=True)
    overall = frame["overall_score"]
    scored = overall.notna()
    month = month_number(frame["period"])

    diagnosis_rule = rules["diagnosis"]
    bottom = scored & (overall < diagnosis_rule["below"])
    bottom_keys = set(zip(frame.loc[bottom, "dept_code"], month[bottom]))
    running = bottom.copy()
    for back in range(1, diagnosis_rule["periods_running"]):
        running &= pd.Series([(d, m - back) in bottom_keys for d, m in zip(frame["dept_code"], month)])

    pilot_rule = rules["pilot"]
    places = frame["n_scored_in_type"].map(lambda n: top_places(pilot_rule["top_share"], n))
    pilot = ~running & scored & (overall >= pilot_rule["min_score"]) & (frame["rank_in_type"].astype(float) <= places).fillna(False)
    partner = ~running & ~pilot & scored & (overall < rules["partner"]["below"])
    code = np.select([running, pilot, partner, scored], ["diagnosis", "pilot", "partner", "standard"], "unscored")
    frame["tier_code"] = code
    frame["tier"] = frame["tier_code"].map({c: rules[c]["name"] for c in TIER_CODES})
    frame = frame.join(pair_partners(frame, rules["partner"]))

    reasons = []
    for row, top in zip(frame.itertuples(), places):
        s = row.overall_score
        if row.tier_code == "diagnosis":
            reasons.append(f"综合得分 {s:.1f} < {diagnosis_rule['below']}，连续 {diagnosis_rule['periods_running']} 个月处于末位")
        elif row.tier_code == "pilot":
            reasons.append(f"综合得分 {s:.1f} ≥ {pilot_rule['min_score']}，类型内第 {row.rank_in_type}/{row.n_scored_in_type} 名（前 {top} 名）")
        elif row.tier_code == "partner":
            reasons.append(f"综合得分 {s:.1f} < {rules['partner']['below']}，有提升潜力；" + (
                f"结对 {row.partner_dept_code}（{row.partner_score:.1f}）" if isinstance(row.partner_dept_code, str)
                else row.unpaired_reason))
        elif row.tier_code == "standard":
            reasons.append(f"综合得分 {s:.1f}，未触发其他规则")
        else:
            reasons.append(f"无综合得分（{row.overall_status}）")
    frame["reason"] = reasons
    return frame[list(TIER_SCHEMA)]


def pair_partners(frame: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """partner_dept_code, partner_score and unpaired_reason for the ``partner`` rows of ``frame``."""
    out = pd.DataFrame({"partner_dept_code": pd.Series(None, index=frame.index, dtype=object),
                        "partner_score": np.nan, "unpaired_reason": None}, index=frame.index)
    for _, group in frame.groupby(["period", "dept_type"], sort=False):
        mentees = group[group["tier_code"] == "partner"].sort_values(["overall_score", "dept_code"])
        if mentees.empty:
            continue
        mentors = group[group["overall_score"] >= rule["mentor_min_score"]].sort_values(
            ["overall_score", "dept_code"], ascending=[False, True])
        capacity = len(mentors) * rule["max_mentees"]
        for i, index in enumerate(mentees.index):
            if i < capacity:
                mentor = mentors.iloc[i % len(mentors)]
                out.loc[index, ["partner_dept_code", "partner_score"]] = [mentor["dept_code"], mentor["overall_score"]]
            elif mentors.empty:
                out.loc[index, "unpaired_reason"] = f"同类型本月无 ≥ {rule['mentor_min_score']} 分的部门可结对"
            else:
                out.loc[index, "unpaired_reason"] = f"同类型强部门结对名额已满（每个至多 {rule['max_mentees']} 个）"
    return out
