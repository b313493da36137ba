"""The integrity rules through the real build: GX gate on the candidate, offline Data Docs, review decisions.

The landing zone of the shared simulated platform (XS, a year) is copied into a fresh JX_HOME and built with the
real pipeline (dbt → docs → checks → publish); the last test runs the Airflow DAG with a failing blocking suite.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import duckdb
import pytest

from jixiao import pipeline
from jixiao.expectations.checks import SUITES_DIR, load_suites, site_suites_dir
from jixiao.expectations.review import record
from jixiao.orchestration import DagRunFailed, run_dag_once
from jixiao.runtime.config import settings

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def cfg(simulated_platform, tmp_path_factory):
    home = tmp_path_factory.mktemp("integrity") / "home"
    shutil.copytree(simulated_platform.cfg.landing_dir, home / "landing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        cfg = settings()
        pipeline.build(cfg)
        yield cfg


def query(cfg, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def render_offline(page) -> str:
    """The page's DOM after its scripts ran in headless Chromium with every network request failing."""
    chromium = shutil.which("chromium")
    assert chromium, "headless Chromium is needed: apt-get install -y chromium (make test installs it)"
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                             "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                             "--virtual-time-budget=8000", "--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    return result.stdout


def result_rows(dom: str) -> int:
    """Rows bootstrap-table rendered in the validation results table (links to validations/…)."""
    return len(re.findall(r'<tr [^>]*data-href="validations/[^"]*"[^>]*data-index=', dom))


def test_data_docs_exist_after_the_build_and_show_their_results_offline(cfg):
    site = cfg.home / "checks" / "gx" / "uncommitted" / "data_docs" / "local_site"
    index = site / "index.html"
    assert index.exists()
    suites = len(load_suites(SUITES_DIR))
    assert result_rows(render_offline(index)) == suites
    cdn = site / "cdn_control.html"  # the same page with its scripts on a CDN, as GX writes it
    cdn.write_text(re.sub(r'static/vendor/[^"]*', "https://cdn.example.invalid/x.js", index.read_text("utf-8")), "utf-8")
    assert result_rows(render_offline(cdn)) == 0
    cdn.unlink()


def test_check_results_are_published_with_the_warehouse(cfg):
    rows = query(cfg, "select suite, severity, success, is_blocking_failure from marts.fct_check_result")
    declared = sum(len(s["expectations"]) for s in load_suites(SUITES_DIR).values())
    assert len(rows) == declared
    assert {severity for _, severity, _, _ in rows} == {"error", "warn"}
    assert not any(blocking for *_, blocking in rows)


def test_a_review_decision_changes_the_next_build_exactly_as_decided_and_survives_a_full_rebuild(cfg):
    held = query(cfg, "select review_key, dept_code, indicator_code, period, value from marts.fct_held_value "
                      "where outlier_status = 'held' order by review_key")
    zombies = query(cfg, "select review_key, dept_code, indicator_code from marts.fct_zombie_indicator "
                         "where is_excluded_from_scoring order by review_key")
    assert len(held) >= 3 and zombies, "the XS world plants fake satisfaction and zombie indicators"
    (approved, a_dept, a_ind, a_period, a_value), (rejected, *_), untouched = held[0], held[1], held[2]
    zombie_key, z_dept, z_ind = zombies[0]
    excluded_before = set(query(cfg, "select dept_code, indicator_code, period, rule from marts.fct_scoring_exclusion"))
    zombie_months = {row for row in excluded_before if row[:2] == (z_dept, z_ind)}
    assert zombie_months and (a_dept, a_ind, a_period, "outlier") in excluded_before

    record(cfg, approved, "approve", "张审核", "调取问卷原件，样本真实")
    record(cfg, rejected, "reject", "李复核", "抽样复查发现代填问卷")
    record(cfg, zombie_key, "approve", "张审核", "该指标口径稳定，属真实平稳")
    shutil.rmtree(cfg.warehouse_dir)  # a full rebuild: no warehouse, no candidate, only the landing zone and the log
    shutil.rmtree(cfg.marts_dir, ignore_errors=True)
    pipeline.build(cfg)

    status = dict(query(cfg, "select review_key, outlier_status from marts.fct_held_value"))
    assert (status[approved], status[rejected], status[untouched[0]]) == ("approved", "rejected", "held")
    excluded_after = set(query(cfg, "select dept_code, indicator_code, period, rule from marts.fct_scoring_exclusion"))
    assert excluded_before - excluded_after == {(a_dept, a_ind, a_period, "outlier")} | zombie_months
    assert excluded_after <= excluded_before
    reasons = dict(query(cfg, "select review_key, reason from marts.fct_scoring_exclusion"))
    assert reasons[rejected].startswith("数据校验剔除（复核驳回）")
    [(exempted, raw)] = query(cfg, "select exempted, raw_value from marts.fct_dept_score_contribution "
                                   "where tree = 'overall' and dept_code = ? and period = ? and item = ?",
                              [a_dept, a_period, a_ind])
    assert exempted is False and raw == pytest.approx(a_value)
    queue = dict(query(cfg, "select review_key, status || '|' || coalesce(decided_by, '') from marts.fct_review_queue"))
    assert queue[approved] == "approve|张审核" and queue[rejected] == "reject|李复核" and queue[zombie_key] == "approve|张审核"
    assert query(cfg, "select is_excluded_from_scoring from marts.fct_zombie_indicator where review_key = ?",
                 [zombie_key]) == [(False,)]


def test_a_blocking_violation_publishes_nothing_and_the_dag_run_fails_naming_it(cfg):
    suite = site_suites_dir(cfg) / "site_no_empty_province.yaml"
    suite.parent.mkdir(parents=True, exist_ok=True)
    suite.write_text("table: marts.fct_indicator_value\nseverity: error\nexpectations:\n"
                     "  - type: expect_table_row_count_to_be_between\n    kwargs: {min_value: 0, max_value: 10}\n",
                     encoding="utf-8")
    published = hashlib.sha256(cfg.warehouse_path.read_bytes()).hexdigest()
    try:
        with pytest.raises(DagRunFailed) as failed:
            run_dag_once("jixiao_pipeline", cfg)
    finally:
        suite.unlink()
    log = (cfg.home / "airflow" / "jixiao_pipeline.log").read_text(encoding="utf-8", errors="replace")
    assert "site_no_empty_province (expect_table_row_count_to_be_between)" in log
    assert "jixiao_pipeline.log" in str(failed.value)
    assert hashlib.sha256(cfg.warehouse_path.read_bytes()).hexdigest() == published
    assert (cfg.warehouse_dir / "candidate.duckdb").exists()  # kept for inspection, never swapped in
