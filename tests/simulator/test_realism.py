"""The simulated sources look like a Chinese province: time patterns, personal data, joint work, chains."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import numpy as np

from jixiao.ingestors.masking import valid_id_number
from jixiao.simulator.text import bank_cards, id_numbers, mobiles, names

ID_RE = re.compile(r"\d{17}[\dX]")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def _luhn(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    return sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits)) % 10 == 0


def test_identifiers_are_valid():
    rng = np.random.default_rng(3)
    assert all(valid_id_number(i) for i in id_numbers(rng, 500))
    assert all(len(c) == 19 and _luhn(c) for c in bank_cards(rng, 500))
    assert all(MOBILE_RE.fullmatch(m) for m in mobiles(rng, 500))
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names(rng, 500))


def test_free_text_carries_personal_data(xs_run):
    tickets = [e["payload"]["text"] for e in xs_run.events("hotline_12345", "ticket_created")]
    petitions = [e["payload"]["text"] for e in xs_run.events("petition", "case_opened")]
    assert all(MOBILE_RE.search(t) for t in tickets)
    assert 0.05 < np.mean([bool(ID_RE.search(t)) for t in tickets]) < 0.4
    assert all(valid_id_number(ID_RE.search(t).group()) for t in petitions)
    assert any("银行卡" in t for t in tickets)
    assert any(MOBILE_RE.search(e["payload"]["text"]) for e in xs_run.events("public_opinion"))


def test_business_time_patterns(xs_run):
    created = [datetime.fromisoformat(e["occurred_at"]) for e in xs_run.events("hotline_12345", "ticket_created")]
    assert all(t.utcoffset().total_seconds() == 8 * 3600 for t in created)
    assert np.mean([t.weekday() >= 5 for t in created]) < 2 / 7 * 0.85, "fewer tickets at weekends"
    per_month = Counter(t.month for t in created)
    assert per_month[2] < per_month[6], "Spring Festival dip, summer rise"
    approvals = [datetime.fromisoformat(e["occurred_at"]) for e in xs_run.events("approval", "application")]
    assert all(8 <= t.hour < 18 for t in approvals), "applications are handled in office hours"


def test_joint_work_and_cross_province_service(xs_run):
    applications = xs_run.events("approval", "application")
    done = xs_run.events("approval", "approval_done")
    assert any(len(a["payload"]["depts_involved"]) > 1 for a in applications)
    assert any(d["payload"]["cross_province"] for d in done) and any(d["payload"]["joint"] for d in done)
    docs = xs_run.events("gov_oa", "document_issued")
    assert 0.1 < np.mean([len(d["payload"]["issuing_depts"]) > 1 for d in docs]) < 0.6


def test_policy_to_first_completed_task_is_computable(xs_run):
    issued = {e["payload"]["policy_id"]: datetime.fromisoformat(e["occurred_at"])
              for e in xs_run.events("gov_oa", "policy_issued")}
    policy_of = {e["payload"]["task_id"]: e["payload"]["policy_id"] for e in xs_run.events("gov_oa", "task_assigned")}
    first_done = {}
    for e in xs_run.events("gov_oa", "task_completed"):
        policy = policy_of[e["payload"]["task_id"]]
        done = datetime.fromisoformat(e["payload"]["completed_at"])
        first_done[policy] = min(done, first_done.get(policy, done))
    days = [(first_done[p] - issued[p]).days for p in first_done]
    assert len(days) > 10 and min(days) >= 0


def test_money_flows(xs_run):
    budgets = xs_run.events("finance", "budget_allocated")
    assert {b["payload"]["fund_type"] for b in budgets} >= {"general", "special_rural_revitalization"}
    projects = {b["payload"]["project_id"] for b in budgets}
    assert all(d["payload"]["project_id"] in projects for d in xs_run.events("finance", "disbursement"))
    tenders = {e["payload"]["tender_id"] for e in xs_run.events("procurement", "tender_published")}
    assert all(e["payload"]["tender_id"] in tenders for e in xs_run.events("procurement", "award"))


def test_appraisal_evaluators_score_their_own_dimensions(xs_run):
    planted = {s["event_id"] for s in xs_run.truth["out_of_rights_scores"]}
    scores = xs_run.events("appraisal", "score")
    by_type = {}
    for s in scores:
        if s["event_id"] not in planted:
            by_type.setdefault(s["payload"]["evaluator_type"], set()).add(s["payload"]["dimension"])
    assert set(by_type) == {"superior", "third_party", "peer", "self"}
    assert by_type["superior"].isdisjoint(by_type["third_party"])
    assert {s["payload"]["period"] for s in scores} == {"2026-03", "2026-06"}
