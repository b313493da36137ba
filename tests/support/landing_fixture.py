"""A small deterministic landing zone for all 11 sources: contract-valid events, validated, then landed
exactly as the ingestor lands them (``LandingZone.commit``). Two departments of each type, three months."""
from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import orjson

from jixiao import contracts
from jixiao.ingestors.landing import LandingZone, PartitionBatch
from jixiao.ingestors.validate import decode
from jixiao.ingestors.worker import content_hash
from jixiao.runtime.config import REPO_ROOT, Settings

SHANGHAI = timezone(timedelta(hours=8))
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
SELF_REPORTED = {"SR_POLICY_SATISFACTION": None, "SR_COST_CONTROL": None, "SR_DIGITAL_GOV_PROGRESS": None,
                 "SR_REFORM_EXPERIENCES": None, "SR_FOOD_SAFETY_PASS": "SCJG", "SR_RD_CONVERSION": "KJJ",
                 "SR_MED_DISPUTE_DAYS": "WJW", "SR_BIZ_STARTUP_DAYS": "XZSP", "SR_INVESTMENT_PROJECTS": "FGW",
                 "SR_REVENUE_GROWTH": "CZJ"}


def fixture_departments(per_type: int = 2) -> list[dict]:
    """The first ``per_type`` departments of every type in the department seed."""
    with open(REPO_ROOT / "dbt_project" / "seeds" / "ref_departments.csv", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["dept_code"])
    taken: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if len(taken[row["dept_type"]]) < per_type:
            taken[row["dept_type"]].append(row)
    return [row for group in taken.values() for row in group]


class _Events:
    """Collects envelopes with per-source sequential event ids."""

    def __init__(self):
        self.events: list[dict] = []
        self.counters: dict[str, int] = defaultdict(int)

    def add(self, source: str, event_type: str, at: datetime, dept: str, payload: dict) -> dict:
        self.counters[source] += 1
        event = {"event_id": f"{source}-{self.counters[source]:06d}", "source": source, "event_type": event_type,
                 "occurred_at": at.isoformat(), "dept_code": dept, "schema_version": 1, "payload": payload}
        self.events.append(event)
        return event


def _at(month: date, day: int, hour: int = 10) -> datetime:
    return datetime(month.year, month.month, day, hour, tzinfo=SHANGHAI)


def fixture_events(seed: int = 5) -> list[dict]:
    """Envelopes for every source and event type; the last one re-sends an earlier event (same id)."""
    rng = random.Random(seed)
    out = _Events()
    departments = fixture_departments()
    codes = [d["dept_code"] for d in departments]
    for m, month in enumerate(MONTHS):
        policy = f"POL-{month:%Y%m}"
        out.add("gov_oa", "policy_issued", _at(month, 1), codes[0], {"policy_id": policy, "title": f"{month:%m}月政策", "level": "provincial"})
        for d, dept in enumerate(departments):
            code, dtype = dept["dept_code"], dept["dept_type"]
            tag = f"{code}-{month:%Y%m}"
            # gov_oa: one task per month (every other one with a co-department), a document, self-reported KPIs
            task = f"T-{tag}"
            co = [codes[(d + 1) % len(codes)]] if d % 2 == 0 else []
            out.add("gov_oa", "task_assigned", _at(month, 2), code, {"task_id": task, "policy_id": policy,
                    "deadline": f"{month:%Y-%m}-20", "lead_dept": code, "co_depts": co})
            if rng.random() < 0.8:
                done_day = rng.choice([10, 18, 25])
                out.add("gov_oa", "task_completed", _at(month, done_day), code,
                        {"task_id": task, "completed_at": _at(month, done_day).isoformat()})
            issuers = [code] + ([codes[(d + 3) % len(codes)]] if rng.random() < 0.4 else [])
            out.add("gov_oa", "document_issued", _at(month, 5), code, {"doc_id": f"D-{tag}", "policy_id": policy, "issuing_depts": issuers})
            for kpi, kpi_type in SELF_REPORTED.items():
                if kpi_type in (None, dtype):
                    out.add("gov_oa", "kpi_reported", _at(month, 28), code,
                            {"indicator_code": kpi, "period": f"{month:%Y-%m}", "value": round(rng.uniform(60, 99), 1)})
            # hotline: four tickets created and closed
            for t in range(4):
                ticket = f"TK-{tag}-{t}"
                out.add("hotline_12345", "ticket_created", _at(month, 3 + t), code,
                        {"ticket_id": ticket, "category": "咨询", "text": "反映噪音扰民问题", "assigned_dept": code})
                out.add("hotline_12345", "ticket_closed", _at(month, 8 + t), code,
                        {"ticket_id": ticket, "resolved": rng.random() < 0.9, "on_time": rng.random() < 0.8,
                         "satisfaction": rng.choice([None, 2, 4, 5, 5])})
            # service reviews: three, bad ones rectified half of the time
            for r in range(3):
                review = f"R-{tag}-{r}"
                rating = rng.choice([1, 3, 4, 5, 5])
                out.add("service_review", "review", _at(month, 6 + r), code, {"review_id": review, "service_item": "营业执照办理",
                        "channel": rng.choice(["online", "window", "app"]), "rating": rating, "comment": "办事效率高"})
                if rating <= 2 and rng.random() < 0.5:
                    out.add("service_review", "bad_review_rectified", _at(month, 15 + r), code, {"review_id": review})
            # finance: an allocation in January (special fund for finance bureaus), monthly disbursements
            if m == 0:
                fund = "special_rural_revitalization" if dtype == "CZJ" else "general"
                out.add("finance", "budget_allocated", _at(month, 2), code,
                        {"project_id": f"P-{code}", "fund_type": fund, "amount": 1200000.0, "fiscal_year": 2026})
            out.add("finance", "disbursement", _at(month, 12), code, {"disbursement_id": f"DB-{tag}", "project_id": f"P-{code}",
                    "amount": float(rng.choice([50000, 100000, 150000])), "payee": "某建设公司"})
            # audit: one finding in January, rectified in February or March
            if m == 0:
                out.add("audit", "finding", _at(month, 14), code, {"finding_id": f"F-{code}", "category": "预算管理",
                        "amount_involved": 80000.0, "severity": "medium", "tender_id": None})
            elif m == 1 + d % 2:
                out.add("audit", "finding_rectified", _at(month, 14), code, {"finding_id": f"F-{code}", "amount_recovered": 60000.0})
            # petition: two cases
            for c in range(2):
                case = f"C-{tag}-{c}"
                out.add("petition", "case_opened", _at(month, 4 + c), code, {"case_id": case, "category": "劳动保障", "text": "请求协调欠薪"})
                out.add("petition", "case_closed", _at(month, 20 + c), code, {"case_id": case, "on_time": rng.random() < 0.9,
                        "satisfied": rng.choice([True, True, False, None]), "repeat_visit": rng.random() < 0.1})
            # project progress: a monthly milestone of one key project
            planned = date(month.year, month.month, 15)
            actual = planned + timedelta(days=rng.choice([-2, 0, 5])) if rng.random() < 0.85 else None
            out.add("project_progress", "milestone", _at(month, 25), code, {"project_id": f"KP-{code}", "milestone_id": f"MS-{tag}",
                    "planned_date": planned.isoformat(), "actual_date": actual.isoformat() if actual else None,
                    "progress_pct": 30.0 * (m + 1), "investment_done": 1000000.0 * (m + 1)})
            # procurement: a tender, three bids, an award
            tender = f"TD-{tag}"
            out.add("procurement", "tender_published", _at(month, 3), code, {"tender_id": tender, "ceiling_price": 500000.0,
                    "method": rng.choice(["open", "open", "inquiry"]), "category": "工程"})
            prices = [float(rng.randrange(420000, 500000, 1000)) for _ in range(3)]
            for b, price in enumerate(prices):
                out.add("procurement", "bid", _at(month, 10), code, {"tender_id": tender, "bidder_id": f"B{(d + b) % 7}", "price": price})
            out.add("procurement", "award", _at(month, 17), code, {"tender_id": tender, "winner_id": f"B{d % 7}", "price": min(prices)})
            # public opinion: two posts
            for p in range(2):
                out.add("public_opinion", "post", _at(month, 9 + p), code, {"post_id": f"PO-{tag}-{p}", "platform": "微博",
                        "text": "关于窗口服务的讨论", "reposts": rng.randrange(0, 80)})
            # approval: three applications, done within or after the statutory days
            for a in range(3):
                app = f"A-{tag}-{a}"
                out.add("approval", "application", _at(month, 2 + a), code, {"app_id": app, "item_type": "企业开办",
                        "depts_involved": [code] + co, "statutory_days": 5})
                out.add("approval", "approval_done", _at(month, 2 + a) + timedelta(days=rng.choice([1, 2, 6])), code,
                        {"app_id": app, "joint": bool(co), "online": rng.random() < 0.8, "cross_province": rng.random() < 0.3})
            # appraisal: superior, third party, peer and self scores of the month
            for evaluator in ("superior", "third_party", "peer", "self"):
                out.add("appraisal", "score", _at(month, 27), code, {"period": f"{month:%Y-%m}", "evaluator_type": evaluator,
                        "evaluator_id": f"E-{evaluator}", "dimension": "综合", "score": float(rng.randrange(60, 100))})
    resent = next(e for e in out.events if e["event_type"] == "ticket_closed")
    out.events.append(dict(resent))
    return out.events


def land(events: list[dict], cfg: Settings, partition: int = 0) -> dict[str, int]:
    """Validate every event against the contracts and land it (one batch per source, in ``partition`` of its
    topic); counts per source."""
    zone = LandingZone(cfg)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        by_source[event["source"]].append(event)
    counts = {}
    for source, source_events in by_source.items():
        topic = contracts.topic(source)
        first = zone.next_offset(topic, partition)
        batch = PartitionBatch(topic, partition, source, first)
        for offset, raw in enumerate(source_events, start=first):
            event = decode(orjson.dumps(raw), source)
            occurred = datetime.fromisoformat(event["occurred_at"])
            batch.last = offset
            batch.business_dates.append(occurred.astimezone(SHANGHAI).date().isoformat())
            payload = orjson.dumps(event["payload"], option=orjson.OPT_SORT_KEYS)
            row = {"event_id": event["event_id"], "event_type": event["event_type"], "occurred_at": occurred,
                   "dept_code": event["dept_code"], "schema_version": 1, "payload": payload.decode(),
                   "person_keys": [], "kafka_topic": topic, "kafka_partition": partition, "kafka_offset": offset,
                   "kafka_timestamp": occurred,
                   "content_hash": content_hash(event["event_type"], event["occurred_at"], event["dept_code"], 1,
                                                payload, [])}
            for key, value in row.items():
                batch.landed[key].append(value)
        zone.commit(batch)
        counts[source] = len(source_events)
    return counts
