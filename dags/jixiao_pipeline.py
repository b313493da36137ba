"""
### jixiao_pipeline — everything after the landing zone (每日构建)

The ingestors are long-running services that keep the Parquet landing zone current; this DAG turns it
into the published warehouse and tells people what it found:

1. **landing_freshness** — the newest committed landing batch per source; fails when nothing was ever
   landed, or when no source landed anything for `max_age_hours` (the ingestors look stopped; trigger
   with `{"allow_stale": true}` to build anyway).
2. **the build steps**, one task each, generated from `jixiao.pipeline.BUILD_STEPS` (a new step appears
   here without editing this file): dbt build (seeds, staging, marts, scoring) into a candidate DuckDB
   file → docs → closed periods → alerts collected into `marts.fct_alert` → **checks** (Great
   Expectations, the gate: a blocking failure fails the run, nothing is published) → **publish** (atomic
   swap, Parquet marts) → **reports** (一部门一报告, rendered from the published warehouse only).
   They run in the pool `jixiao_warehouse` (one slot): one writer at a time on the warehouse.
3. **deliver_alerts** — after the publish, new alerts go to Kafka `jx.alerts.v1`, the webhook and
   e-mail configured in `alerts/config.yaml`; at least once, deduplicated by `alert_key`, a failed
   sink retried without re-sending to the others (state: `$JX_HOME/alerts/outbox.sqlite3`).

Nightly at 02:00 business time (Asia/Shanghai); `jixiao demo` and `jixiao airflow run jixiao_pipeline`
run it once in-process with each task shown on the terminal.
"""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from jixiao.orchestration import PIPELINE_DAG, build_step_tasks, dag_defaults


@dag(
    dag_id=PIPELINE_DAG,
    schedule="0 2 * * *",
    params={
        "max_age_hours": Param(26, type="number", description="A source whose newest batch is older is stale."),
        "allow_stale": Param(False, type="boolean", description="Build even when every source is stale."),
    },
    tags=["jixiao", "warehouse", "alerts"],
    doc_md=__doc__,
    **dag_defaults(),
)
def jixiao_pipeline():
    @task(retries=0, doc_md="Newest committed landing batch per source; fails on an empty or stopped landing zone.")
    def landing_freshness() -> dict:
        from airflow.sdk import get_current_context

        from jixiao.orchestration import landing_freshness as check
        from jixiao.runtime.config import settings

        params = get_current_context()["params"]
        return check(settings(), float(params["max_age_hours"]), bool(params["allow_stale"]))

    @task(doc_md="Deliver the published `marts.fct_alert` to the configured sinks (outbox, at least once).")
    def deliver_alerts() -> dict:
        from jixiao.alerts import deliver

        return deliver("alerts").as_dict()

    steps = build_step_tasks()
    landing_freshness() >> next(iter(steps.values()))
    steps["publish"] >> deliver_alerts()


jixiao_pipeline()
