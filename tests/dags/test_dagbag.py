"""The DAG folder parses cleanly and cheaply; the DAGs have the shape the platform relies on."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from jixiao.orchestration import DAG_IDS, DAGS_DIR, MONTHLY_CLOSE_DAG, PIPELINE_DAG, POOL, RETRAIN_DAG
from jixiao.pipeline import STEP_NAMES

HEAVY = ("duckdb", "dbt", "pandas", "pyarrow", "sklearn", "great_expectations", "kafka", "jieba")


@pytest.fixture(scope="module")
def bag(airflow_session):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_imports_without_errors(bag):
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == set(DAG_IDS)


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_each_dag_is_documented_retries_with_backoff_and_runs_in_business_time(bag, dag_id):
    dag = bag.dags[dag_id]
    assert dag.timezone.name == "Asia/Shanghai"
    assert dag.doc_md and dag_id in dag.doc_md
    assert dag.max_active_runs == 1 and not dag.catchup
    retried = [t for t in dag.tasks if t.retries]
    assert retried and all(t.retry_exponential_backoff and t.max_retry_delay for t in retried)


def test_the_pipeline_runs_every_build_step_in_order_in_the_one_slot_pool(bag):
    dag = bag.dags[PIPELINE_DAG]
    for before, after in zip(STEP_NAMES, STEP_NAMES[1:]):
        assert dag.get_task(after).upstream_task_ids == {before}
    assert dag.get_task(STEP_NAMES[0]).upstream_task_ids == {"landing_freshness"}
    assert dag.get_task("deliver_alerts").upstream_task_ids == {"publish"}
    assert {dag.get_task(name).pool for name in STEP_NAMES} == {POOL}
    first, later = dag.get_task(STEP_NAMES[0]), [dag.get_task(n) for n in STEP_NAMES[1:]]
    assert all(t.priority_weight > first.priority_weight for t in later), "a running build must outrank a new one"


def test_the_monthly_close_republishes_without_recomputing(bag):
    dag = bag.dags[MONTHLY_CLOSE_DAG]
    assert "dbt" not in dag.task_dict and "docs" not in dag.task_dict
    first_step = next(n for n in STEP_NAMES if n in dag.task_dict)
    assert dag.get_task(first_step).upstream_task_ids == {"close_period"}
    assert dag.get_task("notify_departments").upstream_task_ids == {"publish"}


def test_retraining_promotes_only_through_the_gate_then_republishes(bag):
    dag = bag.dags[RETRAIN_DAG]
    assert dag.get_task("promote").upstream_task_ids == {"gate"}
    assert dag.get_task("gate").upstream_task_ids == {"train"}
    assert all(dag.get_task(t).pool != POOL for t in ("train", "gate", "promote"))
    first_step = next(n for n in STEP_NAMES if n in dag.task_dict)
    assert "dbt" not in dag.task_dict and dag.get_task(first_step).upstream_task_ids == {"promote"}
    assert dag.get_task(first_step).trigger_rule == "none_failed", "a refused (skipped) promotion still republishes"


PARSE = """
import json, sys, time
import airflow.sdk  # the DAG processor has Airflow loaded already; measure what the DAG files add
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "errors": list(bag.import_errors),
                  "modules": sorted(m for m in sys.modules)}))
"""


def test_parsing_the_dag_folder_is_cheap(tmp_path):
    """The DAG files import no stage: parsing them loads none of duckdb, dbt, pandas … (tasks import those)."""
    env = {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PARSE, str(DAGS_DIR)], env=env, capture_output=True, text=True,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["errors"] == []
    assert [m for m in result["modules"] if m.split(".")[0] in HEAVY] == []
    assert result["seconds"] < 5, f"parsing the DAG folder took {result['seconds']:.2f} s"
