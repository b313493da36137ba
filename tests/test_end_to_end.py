"""The walking skeleton against the real services: simulate → Kafka → land → Airflow (dbt → checks → publish → HTML)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import fastjsonschema
import orjson
import pytest

from jixiao import contracts

pytestmark = pytest.mark.kafka


def _valid_events(values: list[tuple[str, bytes]]) -> tuple[list[dict], int, int]:
    """(first copy of every valid event, invalid values, re-sent copies), judged from the raw values alone."""
    events, invalid, resent, seen = [], 0, 0, set()
    for source, value in values:
        try:
            event = orjson.loads(value)
            contracts.validator(None)(event)
            contracts.payload_validators(source)[event["event_type"]](event["payload"])
        except (orjson.JSONDecodeError, fastjsonschema.JsonSchemaException, KeyError):
            invalid += 1
            continue
        if len(value) > contracts.MAX_MESSAGE_BYTES or event["source"] != source:
            invalid += 1
        elif event["event_id"] in seen:
            resent += 1
        else:
            seen.add(event["event_id"])
            events.append(event)
    return events, invalid, resent


def _expected_rates(events: list[dict]) -> dict[tuple[str, str], float]:
    shanghai = ZoneInfo("Asia/Shanghai")
    closed, on_time = defaultdict(int), defaultdict(int)
    for event in events:
        if event["event_type"] != "ticket_closed":
            continue
        month = datetime.fromisoformat(event["occurred_at"]).astimezone(shanghai).strftime("%Y-%m")
        closed[event["dept_code"], month] += 1
        on_time[event["dept_code"], month] += event["payload"]["on_time"]
    return {key: 100.0 * on_time[key] / closed[key] for key in closed}


def _expected_indicators(events: list[dict]) -> dict[tuple[str, str, str], float]:
    """Three catalogue indicators (percent) per department and business month, straight from the events."""
    shanghai = ZoneInfo("Asia/Shanghai")
    hits, totals = defaultdict(int), defaultdict(int)
    rules = {"ticket_closed": ("HOTLINE_ON_TIME_RATE", lambda p: p["on_time"]),
             "review": ("REVIEW_SATISFACTION", lambda p: p["rating"] >= 4),
             "approval_done": ("JOINT_APPROVAL_COVERAGE", lambda p: p["joint"])}
    for event in events:
        if event["event_type"] in rules:
            indicator, hit = rules[event["event_type"]]
            month = datetime.fromisoformat(event["occurred_at"]).astimezone(shanghai).strftime("%Y-%m")
            key = (event["dept_code"], indicator, month)
            totals[key] += 1
            hits[key] += bool(hit(event["payload"]))
    return {key: 100.0 * hits[key] / totals[key] for key in totals}


def test_mart_rates_equal_rates_recomputed_from_the_produced_events(simulated_platform):
    platform = simulated_platform
    cfg, stats = platform.cfg, platform.ingest
    events, invalid, resent = _valid_events(platform.values)
    assert sum(platform.produced.values()) == len(platform.values)
    assert stats.landed + stats.dead + stats.duplicates == len(platform.values)
    assert (stats.landed, stats.dead, stats.duplicates) == (len(events), invalid, resent)
    assert invalid > 0 and resent > 0, "the simulator plants malformed records and re-sends"

    with platform.connect() as con:
        rows = con.execute("select dept_code, period, on_time_closure_rate "
                           "from marts.fct_hotline_closure_monthly").fetchall()
        departments = con.execute("select count(*) from marts.dim_department").fetchone()[0]
        indicator_rows = con.execute(
            "select dept_code, indicator_code, period, has_data, value from marts.fct_indicator_value "
            "where indicator_code in ('HOTLINE_ON_TIME_RATE', 'REVIEW_SATISFACTION', 'JOINT_APPROVAL_COVERAGE')"
        ).fetchall()
    expected = _expected_rates(events)
    assert len(rows) == len(expected) > 0
    assert len({(d, m) for d, m, _ in rows}) == len(rows), "one row per (department, month)"
    for dept, month, rate in rows:
        assert 0.0 <= rate <= 100.0
        assert rate == pytest.approx(expected[dept, month], abs=1e-9)

    # the same three catalogue indicators in fct_indicator_value, wherever they apply
    recomputed = _expected_indicators(events)
    applicable = {(d, i, p) for d, i, p, _, _ in indicator_rows}
    marts = {(d, i, p): v for d, i, p, has_data, v in indicator_rows if has_data}
    expected_applicable = {k: v for k, v in recomputed.items() if k in applicable}
    assert {i for _, i, _ in expected_applicable} == {"HOTLINE_ON_TIME_RATE", "REVIEW_SATISFACTION",
                                                       "JOINT_APPROVAL_COVERAGE"}
    assert marts == pytest.approx(expected_applicable)

    index = (cfg.reports_dir / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr data-region=") == departments
    pages = [p for p in cfg.reports_dir.glob("*/*.html") if p.name != "index.html"]
    assert len(pages) == departments and "12345按时办结率" in pages[0].read_text(encoding="utf-8")
    assert (cfg.marts_dir / "fct_hotline_closure_monthly.parquet").exists()
