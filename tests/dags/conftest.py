"""Airflow in the test process: one SQLite metadata database per session, DAGs from ``dags/``.

Airflow reads its configuration on first import, so ``airflow_session`` must run before any test of this
folder imports it; every ``dag.test()`` here then shares that database while each test has its own JX_HOME.
"""
from __future__ import annotations

import shutil

import pytest

from jixiao.orchestration import configure_in_process
from jixiao.runtime.config import settings


@pytest.fixture(scope="session")
def airflow_session(tmp_path_factory):
    """This process's Airflow, configured once on a session database (the pool created, tables migrated)."""
    home = tmp_path_factory.mktemp("airflow-session")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        configure_in_process(settings())
    return home


@pytest.fixture
def platform_copy(simulated_platform, jx_home, airflow_session, monkeypatch):
    """A new instance holding the session platform's landing zone and published warehouse (landed through Kafka)."""
    source = simulated_platform.cfg
    shutil.copytree(source.landing_dir, jx_home / "landing")
    jx_home.joinpath("warehouse").mkdir()
    shutil.copyfile(source.warehouse_path, jx_home / "warehouse" / "jixiao.duckdb")
    monkeypatch.setenv("JX_AIRFLOW_RETRY_DELAY", "1")
    return settings()
