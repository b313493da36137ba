"""Result use (结果运用): tiers and partner pairs per peer group and period, rules in the config.

Decided on the published overall score of ``fct_dept_score``, separately for each period type (month,
quarter, year). First matching rule wins:

1. 组织健康度诊断 — overall < ``diagnosis.below`` in this period and the ``periods_running - 1`` periods of
   the same type before it (a period without a score breaks the run);
2. 改革试点权 — overall >= ``pilot.min_score`` and rank within the peer group <= ceil(``top_share`` ×
   departments scored in the group), at least 1;
3. 伙伴帮扶计划 — overall < ``partner.below``; paired with a mentor of the same peer group and period
   (overall >= ``mentor_min_score``): mentees from the lowest score up, mentors from the highest down, round
   robin, at most ``max_mentees`` each; a mentee left without a mentor says so;
4. 常规管理 — every other scored department; 未评分 — no overall score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jixiao.scoring.department import load_config
from jixiao.scoring.periods import previous_period

TIER_CODES = ("diagnosis", "pilot", "partner", "standard", "unscored")
TIER_SCHEMA = {
    "dept_code": "varchar", "dept_name": "varchar", "period_type": "varchar", "period": "varchar",
    "dept_type": "varchar", "peer_group": "varchar", "peer_group_name": "varchar", "overall_score": "double",
    "grade": "varchar", "overall_status": "varchar", "rank_in_peer_group": "bigint", "n_scored_in_peer_group": "bigint",
    "tier_code": "varchar", "tier": "varchar", "partner_dept_code": "varchar", "partner_score": "double",
    "reason": "varchar",
}


def top_places(share: float, n_scored: int) -> int:
    """How many places of a peer group count as the top: ceil(share × n), at least 1."""
    return max(1, math.ceil(share * n_scored))


def assign_tiers(scores: pd.DataFrame, config: dict | None = None) -> pd.DataFrame:
    """Tier, rule, reason and partner of each department × period of ``fct_dept_score``."""
    rules = (config or load_config())["tiers"]
    frame = scores[[c for c in TIER_SCHEMA if c in scores.columns]].copy().reset_index(drop=True)
    overall = frame["overall_score"]
    scored = overall.notna()

    diagnosis_rule = rules["diagnosis"]
    bottom = scored & (overall < diagnosis_rule["below"])
    bottom_keys = set(zip(frame.loc[bottom, "dept_code"], frame.loc[bottom, "period_type"], frame.loc[bottom, "period"]))
    running = bottom.copy()
    earlier = frame["period"]
    for _ in range(1, diagnosis_rule["periods_running"]):
        earlier = earlier.map(previous_period)
        running &= pd.Series([k in bottom_keys for k in zip(frame["dept_code"], frame["period_type"], earlier)])

    pilot_rule = rules["pilot"]
    places = frame["n_scored_in_peer_group"].map(lambda n: top_places(pilot_rule["top_share"], n))
    in_top = (frame["rank_in_peer_group"].astype(float) <= places).fillna(False)
    pilot = ~running & scored & (overall >= pilot_rule["min_score"]) & in_top
    partner = ~running & ~pilot & scored & (overall < rules["partner"]["below"])
    frame["tier_code"] = np.select([running, pilot, partner, scored], ["diagnosis", "pilot", "partner", "standard"],
                                   "unscored")
    frame["tier"] = frame["tier_code"].map({c: rules[c]["name"] for c in TIER_CODES})
    frame = frame.join(pair_partners(frame, rules["partner"]))
    frame["reason"] = [_reason(row, top, rules) for row, top in zip(frame.itertuples(), places)]
    return frame[list(TIER_SCHEMA)]


def _reason(row, top: int, rules: dict) -> str:
    """Why, in Chinese, quoting the published score."""
    s, unit = row.overall_score, {"month": "个月", "quarter": "个季度", "year": "年"}.get(row.period_type, "期")
    if row.tier_code == "diagnosis":
        rule = rules["diagnosis"]
        return f"综合得分 {s:.1f} < {rule['below']}，连续 {rule['periods_running']} {unit}处于末位"
    if row.tier_code == "pilot":
        return (f"综合得分 {s:.1f} ≥ {rules['pilot']['min_score']}，{row.peer_group_name}内第 "
                f"{row.rank_in_peer_group}/{row.n_scored_in_peer_group} 名（前 {top} 名）")
    if row.tier_code == "partner":
        paired = (f"结对 {row.partner_dept_code}（{row.partner_score:.1f}）" if isinstance(row.partner_dept_code, str)
                  else row.unpaired_reason)
        return f"综合得分 {s:.1f} < {rules['partner']['below']}，有提升潜力；{paired}"
    if row.tier_code == "standard":
        return f"综合得分 {s:.1f}，未触发其他规则"
    return f"无综合得分（{row.overall_status}）"


def pair_partners(frame: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """partner_dept_code, partner_score and unpaired_reason for the ``partner`` rows of ``frame``.

    Within each period and peer group, mentees (partner tier) from the lowest score up are paired in turn with
    mentors (at least ``mentor_min_score``) from the highest down, each mentor taking at most ``max_mentees``."""
    keys = ["period_type", "period", "peer_group"]
    out = pd.DataFrame({"partner_dept_code": pd.Series(None, index=frame.index, dtype=object),
                        "partner_score": np.nan, "unpaired_reason": pd.Series(None, index=frame.index, dtype=object)})
    mentees = frame[frame["tier_code"] == "partner"].sort_values(["overall_score", "dept_code"])
    if mentees.empty:
        return out
    mentors = frame[frame["overall_score"] >= rule["mentor_min_score"]].sort_values(
        ["overall_score", "dept_code"], ascending=[False, True])
    mentors = mentors.assign(place=mentors.groupby(keys, sort=False).cumcount())[[*keys, "place", "dept_code",
                                                                                  "overall_score"]]
    available = mentors.groupby(keys, sort=False).size().rename("mentors")
    turns = mentees[keys].assign(turn=mentees.groupby(keys, sort=False).cumcount(), row=mentees.index) \
        .join(available, on=keys)
    turns["mentors"] = turns["mentors"].fillna(0).astype(int)
    fits = turns["turn"] < turns["mentors"] * rule["max_mentees"]
    paired, unpaired = turns[fits], turns[~fits]
    picks = paired.assign(place=paired["turn"] % paired["mentors"]).merge(mentors, on=[*keys, "place"])
    out.loc[picks["row"], "partner_dept_code"] = picks["dept_code"].to_numpy()
    out.loc[picks["row"], "partner_score"] = picks["overall_score"].to_numpy()
    out.loc[unpaired["row"], "unpaired_reason"] = np.where(
        unpaired["mentors"] == 0, f"同组本期无 ≥ {rule['mentor_min_score']} 分的部门可结对",
        f"同组强部门结对名额已满（每个至多 {rule['max_mentees']} 个）")
    return out
