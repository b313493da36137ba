"""The models inside a real build (the shared simulated platform: Kafka → ingest → Airflow → dbt) and `jixiao train`."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.models import artefacts, registry

ALERT_COLUMNS = ["alert_key", "alert_type", "severity", "dept_code", "period", "title", "detail", "evidence", "raised_at"]


@pytest.fixture(scope="module")
def con(simulated_platform):
    with simulated_platform.connect() as connection:
        yield connection


def test_every_awarded_tender_is_scored_and_the_top_5_percent_flagged_with_reasons(con):
    tenders = con.execute("select * from marts.fct_tender_risk").df()
    awarded = con.execute("select count(distinct tender_id) from staging.stg_procurement__awards").fetchone()[0]
    assert len(tenders) == awarded > 20
    assert tenders["risk_score"].between(0, 1).all()
    assert tenders["is_flagged"].sum() == (tenders["risk_percentile"] > 0.95).sum() >= 1
    for reasons in tenders.loc[tenders["is_flagged"], "top_features"]:
        parsed = json.loads(reasons)
        assert parsed and all(r["contribution"] > 0 and r["label"] for r in parsed)
    departments = con.execute("select * from marts.fct_dept_integrity_risk").df()
    assert set(departments["dept_code"]) == set(tenders["dept_code"])
    assert departments["n_flagged"].sum() == tenders["is_flagged"].sum()


def test_model_alerts_have_the_standard_columns_and_json_evidence(con):
    columns = [r[0] for r in con.execute("describe marts.fct_model_alert").fetchall()]
    assert columns[:len(ALERT_COLUMNS)] == ALERT_COLUMNS
    alerts = con.execute("select * from marts.fct_model_alert").df()
    assert {"integrity_risk_tender"} <= set(alerts["alert_type"])
    for evidence in alerts["evidence"]:
        assert json.loads(evidence)["model"] in {"integrity", "lagging"}
    assert alerts["title"].str.contains("预警|风险").all()


def test_text_signals_and_the_negative_opinion_indicator(con):
    sources = dict(con.execute("select text_source, count(*) from intermediate.int_text__sentiment group by 1").fetchall())
    assert set(sources) == {"post", "ticket", "review_comment"}
    posts = con.execute("select count(*) from staging.stg_public_opinion__posts").fetchone()[0]
    assert sources["post"] == posts
    indicator = con.execute("""select count(*), min(value), max(value) from marts.fct_indicator_value
                               where indicator_code = 'NEGATIVE_OPINION_RATE' and value is not null""").fetchone()
    assert indicator[0] > 0 and 0 <= indicator[1] <= indicator[2] <= 100
    routed = con.execute("select count(*), avg(topic_matches::int) from marts.fct_ticket_routing").fetchone()
    assert routed[0] > 0 and routed[1] > 0.9


def test_the_build_trained_every_model_with_its_window_and_versions(simulated_platform):
    for name in registry.SPECS:
        meta = artefacts.current_meta(name, simulated_platform.cfg)
        assert meta is not None, name
        assert meta["libraries"]["scikit-learn"] and "metrics" in meta
    window = artefacts.current_meta("integrity", simulated_platform.cfg)["training_window"]
    assert window["first_period"] <= window["last_period"]


def test_jixiao_train_retrains_from_the_published_warehouse(simulated_platform, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copyfile(simulated_platform.cfg.warehouse_path, home / "warehouse" / "jixiao.duckdb")
    monkeypatch.setenv("JX_HOME", str(home))
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--model", "integrity", "--model", "lagging"])
    assert result.exit_code == 0, result.output
    for name in ("integrity", "lagging"):
        assert re.search(rf"{name} \S+ (promoted|kept out by its gate)", result.output), result.output
    again = runner.invoke(main, ["train", "--model", "integrity"])
    assert again.exit_code == 0, again.output
    assert len(list((home / "models" / "integrity" / "candidates").iterdir())) == 2
    assert sorted(p.name for p in (home / "models").iterdir()) == ["integrity", "lagging"]
    unknown = runner.invoke(main, ["train", "--model", "nope"])
    assert unknown.exit_code != 0 and "unknown model(s) nope" in unknown.output


def test_jixiao_train_without_a_warehouse_says_what_to_do(jx_home):
    result = CliRunner().invoke(main, ["train"])
    assert result.exit_code != 0 and "jixiao build" in result.output
