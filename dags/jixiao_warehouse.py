"""
### jixiao_warehouse — everything after the landing zone

The ingestors are long-running services that keep the Parquet landing zone current; this DAG
turns it into the published warehouse, one task per build step (`jixiao.pipeline.BUILD_STEPS`):
**ledger** (special-fund disbursements appended to the tamper-evident ledger, which is verified) →
**dbt build** into a candidate DuckDB file → **dbt docs** → **checks** (Great Expectations; a
blocking failure fails the run and nothing is published) → **publish** (atomic swap, Parquet marts)
→ **reports** (一部门一报告). Runs every night at 02:00 business time (Asia/Shanghai) and on demand
(`jixiao demo` runs it with `airflow dags test`).
"""
from __future__ import annotations

import pendulum
from airflow.sdk import chain, dag, task

STEPS = ("ledger", "dbt", "docs", "checks", "publish", "reports")


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
    def build_step(name: str):
        @task(task_id=name)
        def run() -> dict:
            from jixiao.pipeline import run_step

            return run_step(name)

        return run()

    chain(*(build_step(name) for name in STEPS))


jixiao_warehouse()
