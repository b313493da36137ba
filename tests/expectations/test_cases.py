"""The case library: at least 30 complete Chinese cases, and jieba + TF-IDF ranking that keeps domain terms whole."""
from __future__ import annotations

import pandas as pd

from jixiao.expectations.cases import suggest, tokenize
from jixiao.runtime.config import REPO_ROOT

CASES = pd.read_csv(REPO_ROOT / "dbt_project" / "seeds" / "ref_integrity_cases.csv")


def test_the_library_holds_at_least_30_complete_cases():
    assert len(CASES) >= 30 and CASES["case_id"].is_unique
    for column in ("dept_type", "problem_type", "title", "problem", "measures", "outcome"):
        assert CASES[column].notna().all() and (CASES[column].str.len() > 1).all(), column


def test_government_terms_stay_whole():
    tokens = tokenize("推进跨省通办和一网通办，医疗纠纷调处时长连续异常，好差评满意度")
    for term in ("跨省通办", "一网通办", "医疗纠纷", "调处时长", "好差评", "满意度"):
        assert term in tokens


def test_a_medical_dispute_alert_gets_medical_dispute_cases_first():
    [found] = suggest(CASES, ["嘉兴市卫生健康委员会医疗纠纷调处时长自2026-04起连续3个月高于控制上限"], top=3)
    assert len(found) == 3
    assert all("医疗纠纷" in CASES.set_index("case_id").loc[c["case_id"], "problem"] for c in found[:2])
    assert found[0]["similarity"] >= found[1]["similarity"] >= found[2]["similarity"] > 0


def test_a_benford_alert_gets_fund_cases():
    [found] = suggest(CASES, ["财政局资金拨付金额首位数字分布不符合本福特定律，资金数据可能存在人为编造"], top=3)
    assert CASES.set_index("case_id").loc[found[0]["case_id"], "problem_type"] == "benford"
