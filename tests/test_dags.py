"""The DAG folder imports cleanly and the warehouse DAG has the expected shape."""
from __future__ import annotations

from jixiao.orchestration import DAGS_DIR


def test_dags_import_without_errors_and_chain_build_check_report(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    dag = bag.dags["jixiao_warehouse"]
    assert dag.timezone.name == "Asia/Shanghai"
    assert dag.get_task("check_marts").upstream_task_ids == {"build_warehouse"}
    assert dag.get_task("render_reports").upstream_task_ids == {"check_marts"}
