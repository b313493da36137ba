"""``jixiao airflow init|up|run``: the project's DAGs on a local Airflow (SQLite under ``$JX_HOME/airflow``)."""
from __future__ import annotations

import json
import signal

import click

from jixiao.cli.common import console
from jixiao.runtime.config import settings


@click.group()
def airflow() -> None:
    """Run the project's Airflow DAGs locally (metadata in SQLite under $JX_HOME/airflow)."""


@airflow.command("init")
def airflow_init() -> None:
    """Create or upgrade the metadata database and the one-slot warehouse pool (idempotent)."""
    from jixiao.orchestration import POOL, DagRunFailed, migrate

    cfg = settings()
    try:
        migrate(cfg)
    except DagRunFailed as error:
        raise click.ClickException(str(error)) from None
    console.print(f"Airflow metadata ready in {cfg.home / 'airflow' / 'airflow.db'}, pool {POOL} (1 slot)")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@airflow.command("up")
def airflow_up() -> None:
    """Start Airflow standalone (API server, scheduler, dag-processor, triggerer); Ctrl-C stops it."""
    from jixiao.orchestration import DagRunFailed, start_standalone

    cfg = settings()
    signal.signal(signal.SIGTERM, _interrupt)
    with console.status("starting Airflow standalone (first start creates the database, ~1 min)…"):
        try:
            server = start_standalone(cfg)
        except DagRunFailed as error:
            raise click.ClickException(str(error)) from None
    console.print(f"[bold green]Airflow is up[/] (pid {server.process.pid}): {server.url}\n"
                  f"login: {server.username} / {server.password or '(see simple_auth_manager_passwords.json.generated)'}\n"
                  f"log: {server.log}\nCtrl-C (or SIGTERM) stops it.")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        with console.status("stopping Airflow…"):
            server.stop()
        console.print("Airflow stopped")


@airflow.command("run")
@click.argument("dag_id")
@click.option("--conf", default="{}", show_default=True, help="The run's conf as JSON, e.g. '{\"period\": \"latest\"}'.")
def airflow_run(dag_id: str, conf: str) -> None:
    """Run one DAG run in this process (dag.test), each task shown as it starts and ends."""
    from jixiao.orchestration import DAG_IDS, DagRunFailed, run_dag

    if dag_id not in DAG_IDS:
        raise click.BadParameter(f"{dag_id} is not one of {', '.join(DAG_IDS)}", param_hint="DAG_ID")
    try:
        run_conf = json.loads(conf)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--conf") from None
    try:
        run_dag(dag_id, settings(), run_conf, console)
    except DagRunFailed as error:
        raise click.ClickException(str(error)) from None


COMMANDS = [airflow]
