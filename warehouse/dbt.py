"""dbt (dbt-duckdb) run in-process against the candidate warehouse file."""
from __future__ import annotations

import json
import os
from typing import Callable

from jixiao.expectations.review import decision_log
from jixiao.expectations.rules import dbt_vars
from jixiao.runtime.config import REPO_ROOT, Settings
from jixiao.warehouse.candidate import Candidate

DBT_DIR = REPO_ROOT / "dbt_project"


class BuildError(RuntimeError):
    """dbt failed; the published warehouse is untouched."""


def _node_results(on_node: Callable[[str], None]):
    """A dbt event callback passing each finished node's result line (model, seed, test …) to ``on_node``."""
    def callback(event) -> None:
        name = event.info.name
        if name.startswith("Log") and name.endswith("Result"):
            on_node(event.info.msg)
    return callback


def run_dbt(args: list[str], candidate: Candidate, on_node: Callable[[str], None] | None = None) -> None:
    """Run a dbt command in-process against the candidate file; raise BuildError on any failure."""
    from dbt.cli.main import dbtRunner

    cfg: Settings = candidate.cfg
    os.environ["JX_WAREHOUSE_BUILD_PATH"] = str(candidate.path)
    os.environ["JX_LANDING_DIR"] = str(cfg.landing_dir)
    os.environ["JX_REVIEW_LOG"] = str(decision_log(cfg))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    runner = dbtRunner(callbacks=[_node_results(on_node)] if on_node else [])
    result = runner.invoke([*args, "--vars", json.dumps(dbt_vars()), "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
                            "--target-path", str(cfg.home / "dbt" / "target"),
                            "--log-path", str(cfg.home / "dbt" / "logs")])
    _close_dbt_duckdb()
    if not result.success:
        failed = [f"{node.node.name}: {node.message}" for node in getattr(result.result, "results", None) or []
                  if str(node.status) in ("error", "fail")]
        raise BuildError(f"dbt {args[0]} failed" + (":\n  " + "\n  ".join(failed) if failed else "")
                         + f"\nSee {cfg.home / 'dbt' / 'logs' / 'dbt.log'} for the full log.")


def dbt_build(candidate: Candidate, select: list[str] | None = None,
              on_node: Callable[[str], None] | None = None) -> None:
    """``dbt build`` (seeds, models, tests) into the candidate."""
    run_dbt(["build", *(["--select", *select] if select else [])], candidate, on_node)


def dbt_docs(candidate: Candidate) -> None:
    """``dbt docs generate --static``: lineage and column docs, ``$JX_HOME/dbt/target/static_index.html`` (offline)."""
    run_dbt(["docs", "generate", "--static"], candidate)


def _close_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process, releasing the candidate's write lock."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
