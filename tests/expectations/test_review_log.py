"""The decision log: append-only, one fsynced JSON line per decision, validated before it is written."""
from __future__ import annotations

import json

import pytest

from jixiao.expectations.review import ReviewError, decision_log, not_yet_applied, read_decisions, record
from jixiao.runtime.config import settings


def test_decisions_are_appended_never_rewritten(jx_home):
    cfg = settings()
    first = record(cfg, "hold:A:SR_POLICY_SATISFACTION:2026-03", "approve", "张审核", "问卷原件核实无误")
    before = decision_log(cfg).read_bytes()
    second = record(cfg, "hold:A:SR_POLICY_SATISFACTION:2026-03", "reject", "李复核", "抽样复查发现代填")
    after = decision_log(cfg).read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    assert [d.decision for d in read_decisions(cfg)] == ["approve", "reject"]
    line = json.loads(after.splitlines()[-1])
    assert line["reviewer"] == "李复核" and line["decided_at"].endswith("+08:00")
    items = [{"review_key": "hold:A:SR_POLICY_SATISFACTION:2026-03", "decision_id": first.decision_id}]
    assert not_yet_applied(cfg, items) == {"hold:A:SR_POLICY_SATISFACTION:2026-03": second}


@pytest.mark.parametrize("decision, reviewer, reason", [("maybe", "张", "x"), ("approve", " ", "x"), ("reject", "张", "")])
def test_an_incomplete_decision_is_refused_and_nothing_is_written(jx_home, decision, reviewer, reason):
    with pytest.raises(ReviewError):
        record(settings(), "hold:A:X:2026-01", decision, reviewer, reason)
    assert not decision_log(settings()).exists()
