"""Airflow for the platform: what the DAGs share, the local metadata database, and runs with visible progress.

The DAG files in ``dags/`` stay small and cheap to parse: they import this module and
``jixiao.pipeline`` (both import no stage at the top) and build their tasks with :func:`build_step_tasks`,
one task per ``jixiao.pipeline.BUILD_STEPS`` entry, so a new build step appears in every DAG without an
edit. Stages are imported inside the task bodies.

One writer at a time: every task that writes the candidate warehouse runs in the Airflow pool
``jixiao_warehouse`` (one slot), later steps of a build outrank the first step of another one, and each
step checks that the candidate is still its own build's (``jixiao.pipeline.CandidateTaken``).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from jixiao.runtime.config import REPO_ROOT, Settings, settings

DAGS_DIR = REPO_ROOT / "dags"
PIPELINE_DAG = "jixiao_pipeline"
MONTHLY_CLOSE_DAG = "jixiao_monthly_close"
RETRAIN_DAG = "jixiao_retrain"
DAG_IDS = (PIPELINE_DAG, MONTHLY_CLOSE_DAG, RETRAIN_DAG)
POOL = "jixiao_warehouse"
POOL_DESCRIPTION = "One writer at a time on the candidate DuckDB warehouse (jixiao build steps)"
FIRST_STEP_PRIORITY, LATER_STEP_PRIORITY = 1, 100
RECOMPUTING_STEPS = ("dbt", "docs")
"""Build steps a republish leaves out (month-end close, after retraining): nothing published is recomputed."""


class DagRunFailed(RuntimeError):
    """An Airflow DAG run did not succeed; the message names the failed tasks."""


class LandingEmpty(RuntimeError):
    """Nothing has been landed yet: there is nothing to build."""


class LandingStale(RuntimeError):
    """No source has landed anything recently: the ingestors look stopped."""


# ---------------------------------------------------------------- what the DAG files share (parse time)

def dag_defaults() -> dict:
    """What every jixiao DAG shares: business-time start, no catch-up, one run at a time, and task retries
    with exponential back-off (``JX_AIRFLOW_RETRIES`` / ``JX_AIRFLOW_RETRY_DELAY`` in seconds override)."""
    import pendulum

    return {
        "start_date": pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": {
            "owner": "jixiao",
            "retries": int(os.environ.get("JX_AIRFLOW_RETRIES", "2")),
            "retry_delay": timedelta(seconds=float(os.environ.get("JX_AIRFLOW_RETRY_DELAY", "60"))),
            "retry_exponential_backoff": 2.0,
            "max_retry_delay": timedelta(minutes=30),
        },
    }


def build_step_tasks(skip: tuple[str, ...] = (), first_trigger_rule: str = "all_success") -> dict:
    """One task per build step (but ``skip``), chained, in the warehouse pool; returns them by name, in order.

    The first task starts a fresh candidate (a copy of the published warehouse), the others check it is
    still their run's.
    """
    from airflow.sdk import chain, get_current_context, task

    from jixiao.pipeline import BUILD_STEPS

    def step_task(name: str, title: str, first: bool, priority: int):
        @task(task_id=name, pool=POOL, priority_weight=priority, weight_rule="absolute",
              trigger_rule=first_trigger_rule if first else "all_success",
              doc_md=f"Build step **{title}** (`jixiao.pipeline.run_step('{name}')`).")
        def run_build_step() -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from jixiao.pipeline import CandidateTaken, ChecksFailed, run_step

            context = get_current_context()
            try:
                return run_step(name, build_id=f"{context['dag'].dag_id}/{context['run_id']}", start=first)
            except (ChecksFailed, CandidateTaken) as error:  # the same candidate fails the same way: no retry
                raise AirflowFailException(str(error)) from error

        return run_build_step()

    steps = [step for step in BUILD_STEPS if step.name not in skip]
    tasks = {step.name: step_task(step.name, step.title, i == 0,
                                  FIRST_STEP_PRIORITY if i == 0 else LATER_STEP_PRIORITY + i)
             for i, step in enumerate(steps)}
    chain(*tasks.values())
    return tasks


def landing_freshness(cfg: Settings, max_age_hours: float, allow_stale: bool = False) -> dict:
    """Newest committed landing batch per source; raise if nothing landed, or if every source is stale."""
    from jixiao.ingestors.landing import LandingZone

    newest: dict[str, datetime] = {}
    batches: dict[str, int] = {}
    for commit in LandingZone(cfg).commits():
        source = commit.topic.split(".")[2]
        at = datetime.fromisoformat(commit.committed_at)
        newest[source] = max(newest.get(source, at), at)
        batches[source] = batches.get(source, 0) + 1
    if not newest:
        raise LandingEmpty(f"the landing zone {cfg.landing_dir} holds no committed batch: run the ingestors "
                           "(`jixiao ingest --follow`) first")
    now = datetime.now(timezone.utc)
    ages = {source: (now - at).total_seconds() / 3600 for source, at in newest.items()}
    stale = sorted(source for source, age in ages.items() if age > max_age_hours)
    if len(stale) == len(ages) and not allow_stale:
        raise LandingStale(f"no source landed anything in the last {max_age_hours:g} h (newest batch "
                           f"{min(ages.values()):.1f} h old): are the ingestors running? Trigger with "
                           "conf {\"allow_stale\": true} to build anyway")
    published = cfg.warehouse_path.stat().st_mtime if cfg.warehouse_path.exists() else 0.0
    return {"sources": {s: {"newest_batch": newest[s].isoformat(), "age_hours": round(ages[s], 2),
                            "batches": batches[s]} for s in sorted(newest)},
            "stale": stale, "new_since_publish": max(newest.values()).timestamp() > published}


# ---------------------------------------------------------------- the local Airflow (SQLite under $JX_HOME)

def api_port() -> int:
    """The API server's port (``JX_AIRFLOW_PORT``, default 8080); its log servers use the next two ports."""
    return int(os.environ.get("JX_AIRFLOW_PORT", "8080"))


def airflow_env(cfg: Settings) -> dict[str, str]:
    """Environment of an Airflow process bound to this platform instance."""
    home = cfg.home / "airflow"
    port = api_port()
    return {**os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(port + 1),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(port + 2),
            "JX_HOME": str(cfg.home)}


def _airflow(args: list[str], cfg: Settings, log: Path) -> None:
    airflow = Path(sys.executable).with_name("airflow")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        result = subprocess.run([str(airflow), *args], env=airflow_env(cfg), stdout=out,
                                stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    if result.returncode != 0:
        raise DagRunFailed(f"`airflow {' '.join(args)}` failed (exit {result.returncode}); see {log}")


def migrate(cfg: Settings | None = None) -> None:
    """Create or upgrade the SQLite metadata database and the warehouse pool (both idempotent)."""
    cfg = cfg or settings()
    log = cfg.home / "airflow" / "migrate.log"
    (cfg.home / "airflow").mkdir(parents=True, exist_ok=True)
    _airflow(["db", "migrate"], cfg, log)
    _airflow(["pools", "set", POOL, "1", POOL_DESCRIPTION], cfg, log)


def run_dag_once(dag_id: str, cfg: Settings | None = None) -> Path:
    """Run one DAG run with ``airflow dags test`` in a child process; return its log."""
    cfg = cfg or settings()
    migrate(cfg)
    log = cfg.home / "airflow" / f"{dag_id}.log"
    _airflow(["dags", "test", dag_id], cfg, log)
    return log


@dataclass
class StandaloneAirflow:
    """``airflow standalone`` (scheduler, dag-processor, triggerer, API server) started by ``jixiao airflow up``."""

    process: subprocess.Popen
    url: str
    username: str
    password: str | None
    log: Path

    def stop(self, timeout_s: float = 60.0) -> None:
        """Interrupt standalone (it stops its components), then end whatever of its process group remains."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            time.sleep(2)
        self.process.wait()


def api_health(url: str) -> dict | None:
    """The API server's ``/api/v2/monitor/health`` answer, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def start_standalone(cfg: Settings, timeout_s: float = 300.0) -> StandaloneAirflow:
    """Start ``airflow standalone`` on the instance's SQLite database; return once its API reports healthy."""
    migrate(cfg)
    home = cfg.home / "airflow"
    log = home / "standalone.log"
    url = f"http://127.0.0.1:{api_port()}"
    if api_health(url) is not None:
        raise DagRunFailed(f"something already answers on {url}: stop it or set JX_AIRFLOW_PORT to a free port")
    with open(log, "ab") as out:
        process = subprocess.Popen([str(Path(sys.executable).with_name("airflow")), "standalone"],
                                   env=airflow_env(cfg), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, cwd=REPO_ROOT)
    server = StandaloneAirflow(process, url, "admin", None, log)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise DagRunFailed(f"airflow standalone exited with code {process.returncode}; see {log}")
            health = api_health(url) or {}
            if all((health.get(part) or {}).get("status") == "healthy" for part in ("metadatabase", "scheduler")):
                passwords = home / "simple_auth_manager_passwords.json.generated"
                if passwords.exists():
                    server.password = json.loads(passwords.read_text(encoding="utf-8")).get(server.username)
                return server
            time.sleep(1)
        raise DagRunFailed(f"Airflow did not become healthy at {url} within {timeout_s:.0f} s; see {log}")
    except BaseException:
        server.stop()
        raise


def _progress_listener(console, quiet_success: frozenset[str], errors: dict[str, str]):
    """An Airflow listener printing each task's start, end and retries while a DAG runs in this process.

    The last error of each failed task is kept in ``errors``.
    """
    from airflow.listeners import hookimpl

    started: dict[str, float] = {}

    def elapsed(task_id: str) -> str:
        return f"{time.monotonic() - started.get(task_id, time.monotonic()):.1f} s"

    class ProgressListener:
        @hookimpl
        def on_task_instance_running(self, previous_state, task_instance):
            started[task_instance.task_id] = time.monotonic()
            retry = f" [dim](try {task_instance.try_number})[/]" if task_instance.try_number > 1 else ""
            console.print(f"[bold cyan]▶[/] {task_instance.task_id}{retry}")

        @hookimpl
        def on_task_instance_success(self, previous_state, task_instance):
            if task_instance.task_id not in quiet_success:  # build steps print their own line
                console.print(f"[green]✓[/] {task_instance.task_id} [dim]{elapsed(task_instance.task_id)}[/]")

        @hookimpl
        def on_task_instance_failed(self, previous_state, task_instance, error):
            errors[task_instance.task_id] = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) \
                else str(error)
            retrying = task_instance.try_number <= task_instance.task.retries
            console.print(f"[red]✗[/] {task_instance.task_id} [dim]{elapsed(task_instance.task_id)}[/]",
                          "[yellow]will retry[/]" if retrying else "", highlight=False)
            console.print(f"  {error}", markup=False, highlight=False)

        @hookimpl
        def on_task_instance_skipped(self, previous_state, task_instance):
            console.print(f"[yellow]↷[/] {task_instance.task_id} skipped")

    return ProgressListener()


def configure_in_process(cfg: Settings) -> None:
    """Point this process's Airflow at the instance's SQLite database; migrate it; make the pool.

    Airflow reads its configuration when first imported, so this must come before that; a process that
    already imported Airflow keeps the database it was configured with (tests share one per session).
    """
    if "airflow" not in sys.modules:
        os.environ.update({k: v for k, v in airflow_env(cfg).items() if k.startswith("AIRFLOW")})
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # the progress lines say what happens
        (cfg.home / "airflow").mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")  # dag.test()'s own client
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.initdb()
    Pool.create_or_update_pool(POOL, 1, POOL_DESCRIPTION, include_deferred=False)


def run_dag(dag_id: str, cfg: Settings | None = None, conf: dict | None = None, console=None):
    """Run one DAG run in this process (``dag.test()``), printing each task; raise DagRunFailed unless it succeeded."""
    from rich.console import Console

    cfg = cfg or settings()
    console = console or Console(stderr=True)
    configure_in_process(cfg)
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.listener import get_listener_manager

    from jixiao.pipeline import STEP_NAMES

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise DagRunFailed(f"DAG files failed to import: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    if dag is None:
        raise DagRunFailed(f"no DAG {dag_id!r} in {DAGS_DIR}; DAGs: {', '.join(sorted(bag.dag_ids))}")
    errors: dict[str, str] = {}
    listener = _progress_listener(console, frozenset(STEP_NAMES), errors)
    manager = get_listener_manager()
    manager.add_listener(listener)
    quiet = os.environ.get("DBT_QUIET")
    os.environ["DBT_QUIET"] = "true"  # dbt's node lines become the build step's running count
    started = time.monotonic()
    try:
        run = dag.test(run_conf=conf)
    finally:
        manager.pm.unregister(listener)
        if quiet is None:
            os.environ.pop("DBT_QUIET")
        else:
            os.environ["DBT_QUIET"] = quiet
    if run.state != "success":
        states = {ti.task_id: ti.state for ti in run.get_task_instances()}
        failed = sorted(task for task, state in states.items() if state == "failed")
        skipped = sorted(task for task, state in states.items() if state == "upstream_failed")
        raise DagRunFailed(f"{dag_id} run {run.run_id} ended {run.state}; failed: "
                           + "; ".join(f"{task} ({errors.get(task, 'see its log')})" for task in failed)
                           + (f"; not run: {', '.join(skipped)}" if skipped else "")
                           + f" — task logs under {cfg.home / 'airflow' / 'logs'}")
    console.print(f"[bold green]{dag_id}[/] succeeded in {time.monotonic() - started:.1f} s")
    return run
