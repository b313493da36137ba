"""Build the warehouse with dbt into a new DuckDB file, then publish it by an atomic swap.

Analysts keep a read-only connection to ``warehouse/jixiao.duckdb``: it is never written in place.
Each build copies the published file (so incremental models continue), runs ``dbt build`` on the
copy, checkpoints it, exports the marts to Parquet for BI tools and renames it over the old file.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from jixiao.runtime.config import REPO_ROOT, Settings, settings

DBT_DIR = REPO_ROOT / "dbt_project"
MART_SCHEMA = "marts"


class BuildError(RuntimeError):
    """dbt failed; the published warehouse is untouched."""


@dataclass(frozen=True)
class BuildResult:
    warehouse: Path
    marts: list[str]
    seconds: float


def _node_results(on_node: Callable[[str], None]):
    """A dbt event callback passing each finished node's result line (model, seed, test …) to ``on_node``."""
    def callback(event) -> None:
        name = event.info.name
        if name.startswith("Log") and name.endswith("Result"):
            on_node(event.info.msg)
    return callback


def run_dbt(args: list[str], cfg: Settings, build_path: Path, on_node: Callable[[str], None] | None = None) -> None:
    """Run a dbt command in-process against ``build_path``; raise BuildError on any failure."""
    from dbt.cli.main import dbtRunner

    os.environ["JX_WAREHOUSE_BUILD_PATH"] = str(build_path)
    os.environ["JX_LANDING_DIR"] = str(cfg.landing_dir)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    result = dbtRunner(callbacks=[_node_results(on_node)] if on_node else []).invoke([*args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
                                 "--target-path", str(cfg.home / "dbt" / "target"),
                                 "--log-path", str(cfg.home / "dbt" / "logs")])
    _close_dbt_duckdb()
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in ("error", "fail"):
                failed.append(f"{node.node.name}: {node.message}")
        raise BuildError(f"dbt {args[0]} failed" + (":\n  " + "\n  ".join(failed) if failed else "")
                         + f"\nSee {cfg.home / 'dbt' / 'logs' / 'dbt.log'} for the full log.")


def _close_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process, releasing the build file's write lock
    (otherwise no reader could open the published file while this process lives)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def build(cfg: Settings | None = None, select: list[str] | None = None,
          on_node: Callable[[str], None] | None = None, docs: bool = True) -> BuildResult:
    """``dbt build`` into a new warehouse file, generate the docs, export the marts, and publish atomically.

    ``on_node`` receives dbt's result line for every finished node (progress display). The docs
    (lineage, column descriptions) land in ``$JX_HOME/dbt/target``; ``static_index.html`` there
    opens offline in a browser."""
    cfg = cfg or settings()
    started = time.monotonic()
    cfg.warehouse_dir.mkdir(parents=True, exist_ok=True)
    build_path = cfg.warehouse_dir / f".build-{os.getpid()}.duckdb"
    build_path.unlink(missing_ok=True)
    if cfg.warehouse_path.exists():
        shutil.copyfile(cfg.warehouse_path, build_path)
    try:
        run_dbt(["build", *(["--select", *select] if select else [])], cfg, build_path, on_node)
        if docs:
            run_dbt(["docs", "generate", "--static"], cfg, build_path)
        with duckdb.connect(str(build_path)) as con:
            con.execute("checkpoint")
            marts = export_marts(con, cfg.marts_dir)
        os.replace(build_path, cfg.warehouse_path)
    finally:
        build_path.unlink(missing_ok=True)
        Path(f"{build_path}.wal").unlink(missing_ok=True)
    return BuildResult(cfg.warehouse_path, marts, time.monotonic() - started)


def export_marts(con: duckdb.DuckDBPyConnection, marts_dir: Path) -> list[str]:
    """Write every mart table to ``<marts_dir>/<table>.parquet`` (atomically per file)."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    tables = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
        "order by table_name", [MART_SCHEMA]).fetchall()]
    for table in tables:
        target = marts_dir / f"{table}.parquet"
        tmp = marts_dir / f".{table}.parquet.tmp"
        con.execute(f"copy {MART_SCHEMA}.{table} to '{tmp}' (format parquet, compression zstd)")
        os.replace(tmp, target)
    return tables
