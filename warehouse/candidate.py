"""The candidate warehouse: a new DuckDB file that is built, checked, then published by an atomic swap.

Analysts keep read-only connections to ``warehouse/jixiao.duckdb``; it is never written in place. A build
copies the published file to ``warehouse/candidate.duckdb`` (so incremental models continue), every later
step writes there, and :meth:`Candidate.publish` checkpoints it, exports the marts to Parquet for BI tools
and renames it over the published file. A candidate that fails its checks is kept for inspection and never
published. One build at a time: :meth:`Candidate.open` holds ``warehouse/.build.lock`` for the build's life.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from jixiao.runtime.config import Settings, settings
from jixiao.runtime.files import fsync_folder

MART_SCHEMA = "marts"


class BuildInProgress(RuntimeError):
    """Another process is building this instance's warehouse."""


@dataclass(frozen=True)
class Candidate:
    """The candidate file of one platform instance (the same path across the steps of a build)."""

    cfg: Settings

    @property
    def path(self) -> Path:
        return self.cfg.warehouse_dir / "candidate.duckdb"

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=read_only)

    def start(self) -> "Candidate":
        """Begin a build: the candidate becomes a copy of the published warehouse (or a new file)."""
        self.cfg.warehouse_dir.mkdir(parents=True, exist_ok=True)
        self.discard()
        if self.cfg.warehouse_path.exists():
            shutil.copyfile(self.cfg.warehouse_path, self.path)
        return self

    def publish(self) -> list[str]:
        """Checkpoint, export the marts to Parquet, swap the candidate in; return the exported marts."""
        if not self.path.exists():
            raise FileNotFoundError(f"no candidate warehouse at {self.path}: run the build from its first step")
        with self.connect() as con:
            con.execute("checkpoint")
            marts = export_marts(con, self.cfg.marts_dir)
        os.replace(self.path, self.cfg.warehouse_path)
        fsync_folder(self.cfg.warehouse_dir)
        return marts

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        Path(f"{self.path}.wal").unlink(missing_ok=True)


@contextmanager
def build_lock(cfg: Settings | None = None):
    """Hold the instance's build lock (one writer of the candidate at a time); the kernel frees it on a crash."""
    cfg = cfg or settings()
    cfg.warehouse_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(cfg.warehouse_dir / ".build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress(f"another build of {cfg.warehouse_dir} is running; wait for it to finish") from None
        yield Candidate(cfg)
    finally:
        os.close(fd)


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
