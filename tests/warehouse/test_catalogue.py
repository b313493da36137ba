"""The indicator catalogue meets the brief: size, common vs type-specific, dimensions, sources, 营商环境优化."""
from __future__ import annotations

import csv

from jixiao import contracts
from jixiao.runtime.config import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


def _rows(name: str) -> list[dict]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_catalogue_coverage():
    indicators = {row["indicator_code"]: row for row in _rows("ref_indicators")}
    common = [c for c, r in indicators.items() if not r["dept_types"]]
    specific = [c for c, r in indicators.items() if r["dept_types"]]
    assert len(indicators) >= 30 and len(common) >= 15 and len(specific) >= 15
    assert len({t for c in specific for t in indicators[c]["dept_types"].split("|")}) >= 6
    assert {r["dimension"] for r in indicators.values()} == {"mission", "strategy", "public", "process", "growth"}
    assert {r["source"] for r in indicators.values()} == set(contracts.SOURCES)
    goals = {g["goal_code"]: g["goal_name"] for g in _rows("ref_goals")}
    business = [c for c, r in indicators.items() if goals[r["goal_code"]] == "营商环境优化"]
    assert len(business) == 12
    names = {r["indicator_name"] for r in indicators.values()}
    assert {"企业开办时间压缩率", "跨部门联合审批覆盖率", "战略敏捷度", "联合发文占比", "协同事项办结率", "跨省通办事项覆盖率",
            "好差评满意度", "12345按时办结率", "预算执行率", "审计整改率", "政策落实度", "成本控制率"} <= names


def test_self_reported_indicators_exist_in_the_contract():
    import yaml
    reported = {k["code"] for k in yaml.safe_load((REPO_ROOT / "contracts" / "self_reported_kpis.yaml").read_text("utf-8"))}
    catalogue = {r["indicator_code"] for r in _rows("ref_indicators") if r["formula_model"] == "int_gov_oa__self_reported_values"}
    assert catalogue == reported


def test_scoring_attributes_count_each_indicator_once_and_self_reports_as_such():
    rows = _rows("ref_indicators")
    by_code = {r["indicator_code"]: r for r in rows}
    self_reported = {c for c, r in by_code.items() if r["self_reported"] == "true"}
    assert {c for c in by_code if c.startswith("SR_")} | {"APPRAISAL_SELF"} == self_reported
    parts = {c: r["scored_in"] for c, r in by_code.items() if r["scored_in"] != "composite"}
    assert parts == {"APPRAISAL_SUPERIOR": "360:superior", "REVIEW_SATISFACTION": "360:recipients",
                     "HOTLINE_SATISFACTION": "360:recipients", "APPRAISAL_THIRD_PARTY": "360:third_party",
                     "APPRAISAL_PEER": "360:peer_self", "APPRAISAL_SELF": "360:peer_self"}
    for code, row in by_code.items():
        for independent in filter(None, row["independent_indicators"].split("|")):
            assert code in self_reported and independent in by_code and independent not in self_reported
        if row["unit"] == "%" and code != "SR_REVENUE_GROWTH":
            assert (row["min_value"], row["max_value"]) == ("0", "100"), code
    assert {c for c, r in by_code.items() if r["target_basis"] == "year_to_date"} == {"BUDGET_EXECUTION",
                                                                                      "SPECIAL_FUND_DISBURSEMENT"}


def test_every_department_type_has_a_peer_group_of_three_or_more():
    departments = _rows("ref_departments")
    mapped = {r["dept_type"]: r["peer_group"] for r in _rows("ref_peer_groups")}
    sizes: dict[str, int] = {}
    for d in departments:
        group = mapped.get(d["dept_type"], d["dept_type"])
        sizes[group] = sizes.get(group, 0) + 1
    assert min(sizes.values()) >= 3
    assert mapped["YJJ"] == mapped["SCJG"], "药品监督管理局 (one, at province level) is ranked with 市场监管"
