"""The ground truth lists every planted case with the ids a checker needs, and the data shows them."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import numpy as np
import orjson
import pytest

from jixiao.simulator.planted import load_config
from simrun import run_to

BENFORD = np.log10(1 + 1 / np.arange(1, 10))


def _kpis(run, code: str) -> dict[str, dict[str, float]]:
    """dept → period → self-reported value of one indicator."""
    out = defaultdict(dict)
    for e in run.events("gov_oa", "kpi_reported"):
        if e["payload"]["indicator_code"] == code:
            out[e["dept_code"]][e["payload"]["period"]] = e["payload"]["value"]
    return out


def test_truth_lists_every_case(xs_run):
    truth = xs_run.truth
    for case in ("fake_satisfaction", "zombie_indicators", "collusive_rings", "spending_divergence",
                 "self_report_disagreement", "benford_fabrication", "duplicates", "late_events", "malformed",
                 "out_of_rights_scores", "hidden_performance"):
        assert truth[case], f"no planted {case}"
    assert truth["medical_dispute_anomaly"]["periods"]


def test_fake_satisfaction_is_above_99_percent_where_faked(xs_run):
    self_reported = _kpis(xs_run, "SR_POLICY_SATISFACTION")
    ratings = defaultdict(list)
    for e in xs_run.events("service_review", "review"):
        ratings[e["dept_code"]].append(e["payload"]["rating"])
    for case in xs_run.truth["fake_satisfaction"]:
        dept = case["dept_code"]
        if case["where"] in ("self_report", "both"):
            assert min(self_reported[dept].values()) > 99.0
        if case["where"] in ("reviews", "both") and ratings[dept]:
            assert np.mean(np.array(ratings[dept]) >= 4) > 0.99
    faked = {c["dept_code"] for c in xs_run.truth["fake_satisfaction"] if c["where"] != "reviews"}
    honest = [v for d, periods in self_reported.items() if d not in faked for v in periods.values()]
    assert max(honest) <= 99.0


def test_zombie_indicators_barely_move_and_others_do(xs_run):
    zombies = {(z["dept_code"], z["indicator_code"]) for z in xs_run.truth["zombie_indicators"]}
    series = defaultdict(list)
    for e in xs_run.events("gov_oa", "kpi_reported"):
        series[e["dept_code"], e["payload"]["indicator_code"]].append(e["payload"]["value"])
    for key in zombies:
        values = np.array(series[key])
        assert np.ptp(values) <= 0.01 * abs(values.mean()) + 1e-9, key
    moving = [np.ptp(v) / max(abs(np.mean(v)), 1e-9) for k, v in series.items() if k not in zombies and np.mean(v) > 1]
    assert np.mean(np.array(moving) > 0.01) > 0.9


def test_collusive_rings_bid_alone_rotate_and_hug_the_ceiling(xs_run):
    tenders = {e["payload"]["tender_id"]: e["payload"] for e in xs_run.events("procurement", "tender_published")}
    bids = defaultdict(list)
    for e in xs_run.events("procurement", "bid"):
        bids[e["payload"]["tender_id"]].append(e["payload"])
    awards = {e["payload"]["tender_id"]: e["payload"] for e in xs_run.events("procurement", "award")}
    findings = {e["payload"]["tender_id"] for e in xs_run.events("audit", "finding") if e["payload"]["tender_id"]}
    confirmed = 0
    for ring in xs_run.truth["collusive_rings"]:
        winners = Counter()
        for tender_id in ring["tender_ids"]:
            if tender_id not in awards:
                continue  # awarded after the simulated period
            assert {b["bidder_id"] for b in bids[tender_id]} == set(ring["bidder_ids"])
            award = awards[tender_id]
            assert award["price"] >= 0.97 * tenders[tender_id]["ceiling_price"]
            assert all(b["price"] >= award["price"] for b in bids[tender_id])
            winners[award["winner_id"]] += 1
        assert len(winners) == min(len(ring["bidder_ids"]), sum(winners.values()))
        assert set(ring["audit_confirmed_tender_ids"]) <= findings
        assert set(ring["audit_confirmed_tender_ids"]) <= set(ring["tender_ids"])
        confirmed += len(ring["audit_confirmed_tender_ids"])
    ring_tenders = {t for r in xs_run.truth["collusive_rings"] for t in r["tender_ids"]}
    assert findings <= ring_tenders, "only confirmed collusion findings reference a tender"
    assert confirmed > 0


def test_health_bureau_dispute_days_are_abnormal_for_consecutive_months(xs_run):
    case = xs_run.truth["medical_dispute_anomaly"]
    days = _kpis(xs_run, "SR_MED_DISPUTE_DAYS")[case["dept_code"]]
    abnormal = [v for p, v in days.items() if p in case["periods"]]
    normal = [v for p, v in days.items() if p not in case["periods"]]
    assert len(abnormal) >= 2 and normal
    assert min(abnormal) > 2 * max(normal)
    disputes = {e["payload"]["case_id"]: e["occurred_at"][:7] for e in xs_run.events("petition", "case_opened")
                if e["dept_code"] == case["dept_code"] and e["payload"]["category"] == "医疗纠纷"}
    per_month = Counter(disputes.values())
    assert min(per_month[p] for p in case["periods"]) > max(per_month[p] for p in days if p not in case["periods"])
    closures = [e["payload"]["on_time"] for e in xs_run.events("petition", "case_closed")
                if disputes.get(e["payload"]["case_id"]) in case["periods"]]
    assert closures and not any(closures)


def test_one_department_truly_drops_mid_year_and_the_sources_show_it(xs_run):
    drop = xs_run.truth["performance_drop"]
    hidden = xs_run.truth["hidden_performance"]
    assert set(hidden) == set(xs_run.truth["latent_performance"]) and all(len(m) == 6 for m in hidden.values())
    own = hidden[drop["dept_code"]]
    assert drop["before"] >= 0.7 and drop["before"] - drop["after"] == pytest.approx(0.4, abs=1e-6)
    assert {v for p, v in own.items() if p < drop["first_period"]} == {drop["before"]}
    assert {v for p, v in own.items() if p >= drop["first_period"]} == {drop["after"]}
    constant = [d for d, months in hidden.items() if len(set(months.values())) == 1]
    assert len(constant) == len(hidden) - 1, "every other department keeps its hidden performance"
    kpis = _kpis(xs_run, "SR_DIGITAL_GOV_PROGRESS")[drop["dept_code"]]
    before = np.mean([v for p, v in kpis.items() if p < drop["first_period"]])
    after = np.mean([v for p, v in kpis.items() if p >= drop["first_period"]])
    assert before - after > 10, "a self-report driven by hidden performance falls with it (gain 40 × 0.4)"
    taken = {c["dept_code"] for case in ("fake_satisfaction", "self_report_disagreement", "spending_divergence",
                                         "benford_fabrication") for c in xs_run.truth[case]}
    assert drop["dept_code"] not in taken


def test_some_appraisal_scores_fall_outside_the_rights_list(xs_run):
    import csv
    from jixiao.runtime.config import REPO_ROOT
    with open(REPO_ROOT / "dbt_project" / "seeds" / "ref_evaluator_rights.csv", encoding="utf-8") as handle:
        rights = {(r["evaluator_type"], r["appraisal_dimension"]) for r in csv.DictReader(handle)}
    planted = {s["event_id"]: s for s in xs_run.truth["out_of_rights_scores"]}
    scores = {e["event_id"]: e["payload"] for e in xs_run.events("appraisal", "score")}
    assert planted and set(planted) <= set(scores)
    assert {p["period"] for p in planted.values()} == {"2026-03", "2026-06"}, "some in every appraisal round"
    for event_id, case in planted.items():
        assert (scores[event_id]["evaluator_type"], scores[event_id]["dimension"]) not in rights
        assert scores[event_id]["dimension"] == case["dimension"]
    ordinary = [p for e, p in scores.items() if e not in planted]
    assert all((p["evaluator_type"], p["dimension"]) in rights for p in ordinary)


def test_fabricated_amounts_break_benford(xs_run):
    fabricated = {c["dept_code"] for c in xs_run.truth["benford_fabrication"]}
    digits = {True: [], False: []}
    for e in xs_run.events("finance"):
        if e["event_type"] in ("disbursement", "budget_allocated"):
            digits[e["dept_code"] in fabricated].append(int(f"{e['payload']['amount']:e}"[0]))

    def distance(sample):
        observed = np.bincount(sample, minlength=10)[1:] / len(sample)
        return np.abs(observed - BENFORD).sum()

    assert len(digits[True]) > 50
    assert distance(digits[True]) > 0.25 > distance(digits[False])


def test_duplicates_are_byte_identical_resends(xs_run):
    planted = Counter(xs_run.truth["duplicates"])
    lines = defaultdict(list)
    for source in ("gov_oa", "hotline_12345", "service_review", "finance", "audit", "petition", "project_progress",
                   "procurement", "public_opinion", "approval", "appraisal"):
        for e, raw in zip(xs_run.events(source), (l for l in xs_run.lines(source) if b"-bad-" not in l)):
            lines[e["event_id"]].append(raw)
    resent = {k: v for k, v in lines.items() if len(v) > 1}
    assert set(resent) == set(planted)
    assert all(len(set(v)) == 1 and len(v) == planted[k] + 1 for k, v in resent.items())


def test_late_events_are_emitted_weeks_after_they_occurred(xs_run):
    late = {e["event_id"]: e for e in xs_run.truth["late_events"]}
    checked = 0
    for source in ("hotline_12345", "gov_oa", "service_review", "finance", "approval"):
        newest = None
        for e in xs_run.events(source):
            occurred = datetime.fromisoformat(e["occurred_at"])
            if e["event_id"] in late and newest is not None and newest.month != occurred.month:
                assert newest - occurred > timedelta(days=7)
                checked += 1
            newest = occurred if newest is None else max(newest, occurred)
    assert checked > 0


def test_divergence_and_disagreement_show_in_the_independent_sources(xs_run):
    satisfaction = defaultdict(list)
    for e in xs_run.events("hotline_12345", "ticket_closed"):
        if e["payload"]["satisfaction"] is not None:
            satisfaction[e["dept_code"]].append(e["payload"]["satisfaction"] >= 4)
    self_reported = _kpis(xs_run, "SR_POLICY_SATISFACTION")

    def gap(depts: set[str]) -> float:
        claimed = np.mean([v for d in depts for v in self_reported[d].values()])
        return claimed - 100 * np.mean([s for d in depts for s in satisfaction[d]])

    disagreeing = {c["dept_code"] for c in xs_run.truth["self_report_disagreement"]}
    planted = {c["dept_code"] for case in ("fake_satisfaction", "spending_divergence") for c in xs_run.truth[case]}
    assert gap(disagreeing) > 8 > gap(set(self_reported) - disagreeing - planted)

    execution = defaultdict(float)
    for e in xs_run.events("finance", "disbursement"):
        execution[e["dept_code"]] += e["payload"]["amount"]
    for e in xs_run.events("finance", "budget_allocated"):
        execution[e["dept_code"] + "/budget"] += e["payload"]["amount"]
    for case in xs_run.truth["spending_divergence"]:
        dept = case["dept_code"]
        if execution[dept + "/budget"] and satisfaction[dept]:
            rate = execution[dept] / execution[dept + "/budget"]
            high = case["direction"] == "high_spending_low_satisfaction"
            assert (rate > 0.3) == high, (dept, rate)


@pytest.mark.parametrize("rate", [0.0, 0.02])
def test_planted_rates_are_configurable(tmp_path, rate):
    overrides = {"duplicates": {"event_rate": rate}, "malformed": {"event_rate": rate},
                 "late_events": {"event_rate": rate}, "fake_satisfaction": {"dept_rate": rate},
                 "out_of_rights_scores": {"dept_rate": rate}}
    run = run_to(tmp_path, months=1, planted_overrides=overrides)
    total = sum(run.produced.values())
    for case in ("duplicates", "malformed", "late_events"):
        if rate == 0:
            assert run.truth[case] == []
        else:
            assert 0.4 * rate * total < len(run.truth[case]) < 2 * rate * total
    assert (len(run.truth["fake_satisfaction"]) == 0) == (rate == 0)
    assert run.truth["out_of_rights_scores"] == [], "no appraisal round in a one-month run"
    assert load_config(overrides=overrides)["duplicates"]["event_rate"] == rate
    assert orjson.loads(orjson.dumps(run.truth))  # plain JSON
