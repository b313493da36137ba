"""The DAG folder imports cleanly and the warehouse DAG has the expected shape."""
from __future__ import annotations

from jixiao.orchestration import DAGS_DIR
from jixiao.pipeline import STEP_NAMES


def test_dags_import_without_errors_and_run_the_build_steps_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    dag = bag.dags["jixiao_warehouse"]
    assert dag.timezone.name == "Asia/Shanghai"
    for before, after in zip(STEP_NAMES, STEP_NAMES[1:]):
        assert dag.get_task(after).upstream_task_ids == {before}
