"""Each DAG runs end to end with ``dag.test()`` on data landed through the real broker; its outputs reach the marts.

The landing zone and published warehouse come from the session's simulated platform (simulate → Kafka →
ingest → build), copied into each test's own JX_HOME.
"""
from __future__ import annotations

import json
import uuid

import duckdb
import pytest
from alert_receivers import Mailbox, Webhook, topic_messages
from alert_sources import add_alert_mart, alerts

from jixiao.orchestration import (MONTHLY_CLOSE_DAG, PIPELINE_DAG, RETRAIN_DAG, DagRunFailed, LandingEmpty,
                                  LandingStale, landing_freshness, run_dag)
from jixiao.pipeline import CandidateTaken, run_step

pytestmark = pytest.mark.kafka


def tries(run) -> dict[str, tuple[str, int]]:
    return {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}


def published(cfg, query: str, params=()) -> list[tuple]:
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return con.execute(query, params).fetchall()


def point_sinks_at(monkeypatch, webhook: Webhook, mailbox: Mailbox) -> None:
    monkeypatch.setenv("JX_ALERTS_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("JX_ALERTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JX_ALERTS_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("JX_ALERTS_EMAIL_TO", "duty@example.gov.cn")


def test_the_pipeline_publishes_and_delivers_an_alert_exactly_once_although_delivery_is_retried(
        platform_copy, monkeypatch):
    cfg = platform_copy
    prefix = f"drill-{uuid.uuid4().hex[:8]}"
    with duckdb.connect(str(cfg.warehouse_path)) as con:  # a stage raising alerts: a hand-made alert mart
        add_alert_mart(con, "fct_drill_alert", alerts(prefix, 3))
    with Webhook(fail_first=1) as webhook, Mailbox() as mailbox:
        point_sinks_at(monkeypatch, webhook, mailbox)
        run = run_dag(PIPELINE_DAG, cfg)
    states = tries(run)
    assert states["deliver_alerts"] == ("success", 2), "the webhook refused once: the delivery task was retried"
    assert all(state == "success" for state, _ in states.values())
    expected = [f"{prefix}:{i}" for i in range(3)]
    assert [r[0] for r in published(cfg, "select alert_key from marts.fct_alert where source_table = "
                                         "'fct_drill_alert' order by 1")] == expected
    assert (cfg.marts_dir / "fct_alert.parquet").exists() and (cfg.reports_dir / "index.html").exists()
    on_topic = [m["alert_key"] for m in topic_messages(cfg.bootstrap_servers, "jx.alerts.v1")
                if m["alert_key"].startswith(prefix)]
    assert sorted(on_topic) == expected
    assert sorted(m["alert_key"] for m in webhook.accepted if m["alert_key"].startswith(prefix)) == expected
    assert sorted(k for k in mailbox.alert_keys() if k.startswith(prefix)) == expected


def test_the_monthly_close_freezes_a_period_and_notifies_each_scored_department_once(platform_copy, monkeypatch):
    cfg = platform_copy
    with Webhook() as webhook, Mailbox() as mailbox:
        point_sinks_at(monkeypatch, webhook, mailbox)
        run = run_dag(MONTHLY_CLOSE_DAG, cfg, {"period": "2026-06"})
        again = run_dag(MONTHLY_CLOSE_DAG, cfg, {"period": "2026-06"})  # a closed period stays closed
    assert "dbt" not in tries(run) and all(state == "success" for state, _ in tries(run).values())
    manifest = json.loads((cfg.home / "closes" / "period=2026-06" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["closed_by"] == f"{MONTHLY_CLOSE_DAG}/{run.run_id}"
    frozen = published(cfg, """
        select count(*), count(c.grade), count(*) filter (where c.grade is distinct from s.grade
                                                              or c.tier_code is distinct from t.tier_code)
        from marts.fct_period_close c
        join marts.fct_dept_score s using (dept_code, period) join marts.fct_dept_tier t using (dept_code, period)
        where period = '2026-06'""")[0]
    graded = published(cfg, "select count(*) from marts.fct_dept_score where period = '2026-06' and grade is not null")
    assert frozen == (manifest["tables"]["fct_dept_score"]["rows"], graded[0][0], 0)
    notices = [m for m in webhook.accepted if m["alert_type"] == "period_close"]
    assert len(notices) == graded[0][0] == len({m["alert_key"] for m in notices})
    assert len(mailbox.alert_keys()) == graded[0][0]
    on_topic = [m for m in topic_messages(cfg.bootstrap_servers, "jx.notices.v1")
                if m["evidence"]["closed_by"] == manifest["closed_by"]]
    assert len(on_topic) == graded[0][0]
    diagnosed = [m for m in notices if m["evidence"]["tier_code"] == "diagnosis"]
    assert diagnosed and all(m["severity"] == "warning" and "组织健康度诊断" in m["title"] for m in diagnosed)
    assert tries(again)["close_period"][0] == "success"


def test_retraining_promotes_a_good_candidate_and_the_gate_keeps_a_worse_one_out(platform_copy):
    cfg = platform_copy
    first = run_dag(RETRAIN_DAG, cfg, {"registry": "retrain_fixture:TRAINERS"})
    pointer = cfg.home / "models" / "overall_from_dimensions" / "current.json"
    promoted = json.loads(pointer.read_text(encoding="utf-8"))
    assert promoted["metrics"]["r2"] > 0.5 and tries(first)["promote"][0] == "success"

    second = run_dag(RETRAIN_DAG, cfg, {"registry": "retrain_fixture:WORSE"})
    assert tries(second)["promote"][0] == "skipped"
    assert json.loads(pointer.read_text(encoding="utf-8")) == promoted, "the model in use did not change"
    refused = sorted((cfg.home / "models" / "overall_from_dimensions" / "candidates").glob("*/gate.json"))[-1]
    decision = json.loads(refused.read_text(encoding="utf-8"))
    assert not decision["passed"] and any("< floor" in r for r in decision["reasons"])
    assert any("< promoted" in r for r in decision["reasons"])
    assert tries(second)["publish"][0] == "success", "the refused candidate is still recorded and published"
    versions = published(cfg, "select version, gate_passed, in_use from marts.fct_model_version order by version")
    assert versions == [(promoted["version"], True, True), (refused.parent.name, False, False)]


def test_a_missing_model_registry_fails_the_run_naming_it(platform_copy):
    with pytest.raises(DagRunFailed, match=r"failed: models \(LookupError: retrain_fixture:NOTHING does not exist.*"
                                           r"not run: .*gate, .*promote, .*train"):
        run_dag(RETRAIN_DAG, platform_copy, {"registry": "retrain_fixture:NOTHING"})


def test_the_freshness_check_stops_an_empty_or_stopped_landing_zone(platform_copy, tmp_path, monkeypatch):
    report = landing_freshness(platform_copy, max_age_hours=26)
    assert report["stale"] == [] and len(report["sources"]) == 11
    with pytest.raises(LandingStale, match="are the ingestors running"):
        landing_freshness(platform_copy, max_age_hours=0)
    assert landing_freshness(platform_copy, max_age_hours=0, allow_stale=True)["stale"]
    monkeypatch.setenv("JX_HOME", str(tmp_path / "empty"))
    from jixiao.runtime.config import settings

    with pytest.raises(LandingEmpty, match="jixiao ingest --follow"):
        landing_freshness(settings(), max_age_hours=26)


def test_a_step_of_one_build_refuses_a_candidate_another_build_started(platform_copy):
    run_step("closes", platform_copy, build_id="jixiao_pipeline/run-a", start=True)
    run_step("closes", platform_copy, build_id="jixiao_monthly_close/run-b", start=True)
    with pytest.raises(CandidateTaken, match="belongs to build 'jixiao_monthly_close/run-b'"):
        run_step("alerts", platform_copy, build_id="jixiao_pipeline/run-a")
    assert "by_source" in run_step("alerts", platform_copy, build_id="jixiao_monthly_close/run-b")
