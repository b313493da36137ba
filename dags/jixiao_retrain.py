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

Weekly, Sunday 03:00 business time. Training reads the published warehouse only, so it does not take
the warehouse pool.
"""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from jixiao.orchestration import RETRAIN_DAG, dag_defaults


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
        import json
        from dataclasses import asdict
        from pathlib import Path

        from jixiao.models.retraining import TrainedCandidate, check_gate
        from jixiao.runtime.config import settings

        decision = asdict(check_gate(trainer(candidate["name"]), TrainedCandidate(**candidate), settings()))
        Path(candidate["path"], "gate.json").write_text(json.dumps(decision, indent=1), encoding="utf-8")
        return {"candidate": candidate, "decision": decision}

    @task
    def promote(gated: dict) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from jixiao.models.retraining import TrainedCandidate, promote as point_at
        from jixiao.runtime.config import settings

        if not gated["decision"]["passed"]:
            raise AirflowSkipException(f"{gated['candidate']['name']} not promoted: "
                                       + "; ".join(gated["decision"]["reasons"]))
        return point_at(TrainedCandidate(**gated["candidate"]), settings())

    promote.expand(gated=gate.expand(candidate=train.expand(name=models())))


jixiao_retrain()
