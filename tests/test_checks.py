"""Great Expectations suites run for real on tables read from a DuckDB warehouse."""
from __future__ import annotations

import json

import duckdb

from jixiao.expectations.checks import load_suites, run_checks
from jixiao.runtime.config import settings


def _warehouse(rows: str) -> None:
    cfg = settings()
    cfg.warehouse_dir.mkdir(parents=True)
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_hotline_closure_monthly (dept_code varchar, period varchar, "
                    "tickets_closed bigint, tickets_closed_on_time bigint, on_time_closure_rate double)")
        con.execute(f"insert into marts.fct_hotline_closure_monthly values {rows}")


def test_the_shipped_suite_passes_on_good_data(jx_home):
    _warehouse("('A', '2026-01', 10, 9, 90.0), ('B', '2026-01', 4, 4, 100.0)")
    suites = {"fct_hotline_closure_monthly": load_suites()["fct_hotline_closure_monthly"]}
    assert run_checks(suites=suites).blocking_failures == []


def test_failures_are_reported_and_recorded(jx_home):
    _warehouse("('A', '2026-01', 10, 12, 120.0), ('A', '2026-01', 4, 4, 100.0)")
    report = run_checks(suites={"fct_hotline_closure_monthly": load_suites()["fct_hotline_closure_monthly"]})
    [result] = report.blocking_failures
    failed = {f["expectation"] for f in result.failures}
    assert failed == {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_between",
                      "expect_column_pair_values_a_to_be_greater_than_b"}
    recorded = json.loads((jx_home / "checks" / "results.json").read_text(encoding="utf-8"))
    assert recorded[0]["success"] is False
