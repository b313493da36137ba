"""
### jixiao_retrain — scheduled model retraining behind a metric gate (模型重训)

For every model the registry names (param `registry`, default `jixiao.models:TRAINERS`; the interface
is in `jixiao.models.retraining`):

1. **train** — trains a candidate artefact on the published warehouse into
   `$JX_HOME/models/<name>/candidates/<version>/` and records its held-out metrics;
2. **gate** — passes only if every gate metric reaches its floor and none falls below the promoted
   model's by more than the model's tolerance (the decision is stored beside the candidate);
3. **promote** — points `$JX_HOME/models/<name>/current.json` at the candidate (atomic replace);
   skipped when the gate refused it, so the model in use never changes to a worse one.
4. **the build steps but dbt** (in the one-slot warehouse pool), on a copy of the published warehouse:
   the model steps score with the models now in use, `marts.fct_model_version` records every candidate,
   its metrics and gate decision, then checks, publish, reports.

Weekly, Sunday 03:00 business time. Training reads the published warehouse only, so it does not take
the warehouse pool.
"""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from jixiao.orchestration import RECOMPUTING_STEPS, RETRAIN_DAG, build_step_tasks, dag_defaults


@dag(
    dag_id=RETRAIN_DAG,
    schedule="0 3 * * 0",
    params={"registry": Param("jixiao.models:TRAINERS", type="string",
                              description="module:attribute of the trainers to run")},
    tags=["jixiao", "models"],
    doc_md=__doc__,
    **dag_defaults(),
)
def jixiao_retrain():
    def trainer(name: str):
        from airflow.sdk import get_current_context

        from jixiao.models.retraining import load_trainers

        return load_trainers(get_current_context()["params"]["registry"])[name]

    @task(retries=0)
    def models() -> list[str]:
        from airflow.sdk import get_current_context

        from jixiao.models.retraining import load_trainers

        return sorted(load_trainers(get_current_context()["params"]["registry"]))

    @task(map_index_template="{{ name }}")
    def train(name: str) -> dict:
        from dataclasses import asdict

        from airflow.sdk import get_current_context

        from jixiao.models.retraining import train_candidate, version_for
        from jixiao.runtime.config import settings

        version = version_for(f"{get_current_context()['run_id']}")
        return asdict(train_candidate(trainer(name), settings(), version))

    @task
    def gate(candidate: dict) -> dict:
        from dataclasses import asdict

        from jixiao.models.retraining import TrainedCandidate, check_gate
        from jixiao.runtime.config import settings

        decision = check_gate(trainer(candidate["name"]), TrainedCandidate(**candidate), settings())
        return {"candidate": candidate, "decision": asdict(decision)}

    @task
    def promote(gated: dict) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from jixiao.models.retraining import TrainedCandidate, promote as point_at
        from jixiao.runtime.config import settings

        if not gated["decision"]["passed"]:
            raise AirflowSkipException(f"{gated['candidate']['name']} not promoted: "
                                       + "; ".join(gated["decision"]["reasons"]))
        return point_at(TrainedCandidate(**gated["candidate"]), settings())

    promoted = promote.expand(gated=gate.expand(candidate=train.expand(name=models())))
    promoted >> next(iter(build_step_tasks(skip=RECOMPUTING_STEPS, first_trigger_rule="none_failed").values()))


jixiao_retrain()
