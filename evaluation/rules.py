"""Data-validity rules against the planted truth: precision and recall per rule, the health bureau's
consecutive-anomaly alert, Benford at the instance's scale."""
from __future__ import annotations

from jixiao.evaluation.core import Context, Section

AIM = ">= 0.95"


def _pr(section: Section, name: str, found: set, planted: set, aim: str | None = AIM, note: str = "") -> None:
    """Precision and recall of ``found`` against ``planted`` as two figures."""
    hits = len(found & planted)
    section.add(f"{name}: precision", hits / len(found) if found else None, aim, f"{hits} of {len(found)} flagged {note}".strip())
    section.add(f"{name}: recall", hits / len(planted) if planted else None, aim, f"{hits} of {len(planted)} planted")


def _rows(context: Context, sql: str) -> list[tuple]:
    return context.con.execute(sql).fetchall()


def evaluate(context: Context) -> Section:
    section = Section("data-validity rules (数据有效性校验)")
    truth = context.truth
    scale = truth.get("scale", "?")

    planted = {(z["dept_code"], z["indicator_code"]) for z in truth.get("zombie_indicators", [])}
    found = set(_rows(context, "select dept_code, indicator_code from marts.fct_zombie_indicator"))
    _pr(section, "zombie indicators", found, planted)
    other = {(d["dept_code"], d["indicator_code"]) for d in truth.get("self_report_disagreement", [])}
    extra = found - planted
    section.add("zombie flags on series planted as another case", len(extra & other), None,
                "self-reports of the disagreement case, which the simulator emits as a constant")
    clean = found - other
    section.add("zombie indicators: precision on series without another planted case",
                len(clean & planted) / len(clean) if clean else None, None, f"{len(clean & planted)} of {len(clean)}")

    fake = truth.get("fake_satisfaction", [])
    planted = {f["dept_code"] for f in fake if f["where"] in ("self_report", "both")}
    held = _rows(context, "select dept_code, period from marts.fct_held_value where indicator_code = "
                          "'SR_POLICY_SATISFACTION' and outlier_status in ('held', 'approved', 'rejected')")
    _pr(section, "self-reported outlier (satisfaction > 99 %, departments)", {d for d, _ in held}, planted)
    months = {(d, p) for d, p in _rows(context, "select distinct dept_code, period from marts.fct_indicator_value "
                                                "where indicator_code = 'SR_POLICY_SATISFACTION' and has_data")
              if d in planted}
    _pr(section, "self-reported outlier (department-months held)", set(held), months)
    reviews = {f["dept_code"] for f in fake if f["where"] in ("reviews", "both")}
    review_rows = _rows(context, "select dept_code, outlier_status from marts.fct_held_value "
                                 "where indicator_code = 'REVIEW_SATISFACTION'")
    held_reviews = {d for d, s in review_rows if s != "low_sample"}
    section.add("faked 好差评 departments held", len(held_reviews & reviews), None,
                f"of {len(reviews)}; {len({d for d, s in review_rows if s == 'low_sample'} & reviews)} had >99 % "
                f"only as low-sample rates (fewer responses than outliers.min_responses)")

    tasks = _rows(context, "select dept_code, check_type from marts.fct_verification_task")
    planted = {d["dept_code"] for d in truth.get("spending_divergence", [])}
    observable = {d for (d,) in _rows(context, "select distinct dept_code from marts.fct_indicator_value "
                                               "where indicator_code = 'BUDGET_EXECUTION' and has_data")}
    _pr(section, "spending/satisfaction divergence", {d for d, c in tasks if c == "spending"}, planted,
        note=f"({len(planted & observable)} of {len(planted)} planted departments have any budget data)")
    planted = {d["dept_code"] for d in truth.get("self_report_disagreement", [])}
    _pr(section, "self-report vs 12345/好差评 disagreement", {d for d, c in tasks if c == "self_report"}, planted, None)

    anomaly = truth.get("medical_dispute_anomaly")
    if anomaly:
        alerts = _rows(context, f"""
            select a.alert_key, json_array_length(a.case_suggestions), r.run_start, r.run_end
            from marts.fct_rule_alert a join marts.fct_consecutive_anomaly r on r.run_key = a.alert_key
            where a.dept_code = '{anomaly['dept_code']}' and a.indicator_code = '{anomaly['indicator_code']}'""")
        section.add("health bureau: consecutive-anomaly alerts", len(alerts), "== 1",
                    f"{anomaly['dept_code']} {anomaly['indicator_code']} planted {anomaly['periods'][0]}–{anomaly['periods'][-1]}"
                    + "".join(f"; run {s}–{e}" for _, _, s, e in alerts))
        section.add("health bureau: case suggestions on the alert", alerts[0][1] if len(alerts) == 1 else None, "== 3")
        total = _rows(context, "select count(*) from marts.fct_rule_alert where alert_type = 'consecutive_anomaly'")[0][0]
        section.add("consecutive-anomaly alerts in the province", total, None)

    planted = {b["dept_code"] for b in truth.get("benford_fabrication", [])}
    tests = _rows(context, "select dept_code, is_sufficient, is_flagged from marts.fct_benford_test where test = 'first_digit'")
    sufficient = {d for d, s, _ in tests if s}
    flagged = {d for d, _, f in _rows(context, "select dept_code, test, is_flagged from marts.fct_benford_test") if f}
    at_m = scale in ("M", "L")
    section.add(f"Benford ({scale}): planted departments reaching the minimum sample", len(planted & sufficient), None,
                f"of {len(planted)} planted; {len(sufficient)} of {len(tests)} departments reach it")
    section.add(f"Benford ({scale}): recall on planted departments", len(planted & flagged) / len(planted) if planted else None,
                ">= 0.9" if at_m else None, f"{len(planted & flagged)} of {len(planted)}")
    others = {d for d, _, _ in tests} - planted
    section.add(f"Benford ({scale}): share of other departments flagged", len(others & flagged) / len(others) if others else None,
                "<= 0.05" if at_m else None, f"{len(others & flagged)} of {len(others)}")

    stages = dict(_rows(context, "select stage, count(*) from marts.fct_rectification group by all"))
    overdue = _rows(context, "select count(*) from marts.fct_rectification where is_overdue")[0][0]
    section.details["rectification_stages"] = stages
    section.add("rectification items (PDCA)", sum(stages.values()), None,
                ", ".join(f"{k} {v}" for k, v in sorted(stages.items())) + f"; overdue {overdue}")
    return section
