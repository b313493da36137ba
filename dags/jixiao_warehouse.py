"""
### jixiao_warehouse — everything after the landing zone

The ingestors are long-running services that keep the Parquet landing zone current; this DAG
turns it into the published warehouse: **dbt build** into a new DuckDB file and an atomic swap,
**Great Expectations** checks on the marts, and the **HTML reports** (一部门一报告).
Runs every night at 02:00 business time (Asia/Shanghai) and on demand (`jixiao demo` runs it
with `airflow dags test`).
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="jixiao_warehouse",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["jixiao", "warehouse"],
    doc_md=__doc__,
)
def jixiao_warehouse():
    @task
    def build_warehouse() -> dict:
        """dbt build into a new file, export the marts, publish atomically."""
        from jixiao.warehouse import build

        result = build()
        return {"warehouse": str(result.warehouse), "marts": result.marts, "seconds": round(result.seconds, 1)}

    @task
    def check_marts(built: dict) -> dict:
        """Great Expectations suites on the published marts; a blocking failure fails the run."""
        from jixiao.expectations.checks import run_checks

        report = run_checks()
        if report.blocking_failures:
            names = ", ".join(r.suite for r in report.blocking_failures)
            raise RuntimeError(f"blocking data checks failed: {names} (see checks/results.json)")
        return {"suites": len(report.results), "failed": sum(not r.success for r in report.results)}

    @task
    def render_reports(checks: dict) -> str:
        """Render the report index from the published warehouse."""
        from jixiao.reports.render import render_index

        return str(render_index())

    render_reports(check_marts(build_warehouse()))


jixiao_warehouse()
