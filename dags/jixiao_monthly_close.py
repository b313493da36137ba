"""
### jixiao_monthly_close — month-end close (月度关账)

1. **close_period** — freezes the period's published scores, grades, tiers (改革试点权 / 伙伴帮扶计划 /
   组织健康度诊断) and partner pairs into `$JX_HOME/closes/period=YYYY-MM/` (Parquet + manifest with
   SHA-256), outside the rebuildable warehouse; a closed period stays closed. Param `period`:
   `previous` (the month before the run's date, the default for the schedule), `latest` (newest scored
   month) or `YYYY-MM`.
2. **the build steps but dbt** (as in `jixiao_pipeline`, in the same one-slot pool), on a copy of the
   published warehouse — nothing is recomputed, so what was frozen is what gets published: every
   closed period is loaded into `marts.fct_period_close` (frozen result per department) and
   `marts.fct_period_close_notice`, then checks, publish, reports.
3. **notify_departments** — one result notice per scored department (grade, tier, reason, partner) to
   Kafka `jx.notices.v1`, the webhook and e-mail; at least once, deduplicated per department and period.

Scheduled at 06:00 business time on the 5th of each month, after late data of the month has landed.
"""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from jixiao.orchestration import MONTHLY_CLOSE_DAG, RECOMPUTING_STEPS, build_step_tasks, dag_defaults


@dag(
    dag_id=MONTHLY_CLOSE_DAG,
    schedule="0 6 5 * *",
    params={"period": Param("previous", type="string", pattern=r"^(previous|latest|\d{4}-(0[1-9]|1[0-2]))$",
                            description="'previous', 'latest' or YYYY-MM")},
    tags=["jixiao", "scoring", "close"],
    doc_md=__doc__,
    **dag_defaults(),
)
def jixiao_monthly_close():
    @task(doc_md="Freeze the period's published results outside the warehouse (idempotent).")
    def close_period() -> dict:
        from airflow.sdk import get_current_context

        from jixiao.period_close import close_period as close, resolve_period
        from jixiao.runtime.config import settings

        context = get_current_context()
        cfg = settings()
        period = resolve_period(context["params"]["period"], cfg, context["logical_date"])
        return close(cfg, period, closed_by=f"{context['dag'].dag_id}/{context['run_id']}")

    @task(doc_md="Deliver the published `marts.fct_period_close_notice` to the configured sinks.")
    def notify_departments() -> dict:
        from jixiao.alerts import deliver

        return deliver("notices").as_dict()

    steps = build_step_tasks(skip=RECOMPUTING_STEPS)
    close_period() >> next(iter(steps.values()))
    steps["publish"] >> notify_departments()


jixiao_monthly_close()
