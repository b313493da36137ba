"""Run the Airflow DAGs locally: SQLite metadata under ``$JX_HOME/airflow``, DAGs from ``dags/``."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jixiao.runtime.config import REPO_ROOT, Settings, settings

DAGS_DIR = REPO_ROOT / "dags"


class DagRunFailed(RuntimeError):
    """An Airflow DAG run did not succeed; the message points at its log."""


def airflow_env(cfg: Settings) -> dict[str, str]:
    """Environment of an Airflow process bound to this platform instance."""
    home = cfg.home / "airflow"
    return {**os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "JX_HOME": str(cfg.home)}


def _airflow(args: list[str], cfg: Settings, log: Path) -> None:
    airflow = Path(os.sys.executable).with_name("airflow")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        result = subprocess.run([str(airflow), *args], env=airflow_env(cfg), stdout=out,
                                stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    if result.returncode != 0:
        raise DagRunFailed(f"`airflow {' '.join(args)}` failed (exit {result.returncode}); see {log}")


def migrate(cfg: Settings | None = None) -> None:
    """Create or upgrade the SQLite metadata database (idempotent)."""
    cfg = cfg or settings()
    (cfg.home / "airflow").mkdir(parents=True, exist_ok=True)
    _airflow(["db", "migrate"], cfg, cfg.home / "airflow" / "migrate.log")


def run_dag_once(dag_id: str, cfg: Settings | None = None) -> Path:
    """Run one DAG run in-process with ``airflow dags test`` (serialises the DAGs first); return its log."""
    cfg = cfg or settings()
    migrate(cfg)
    log = cfg.home / "airflow" / f"{dag_id}.log"
    _airflow(["dags", "test", dag_id], cfg, log)
    return log
