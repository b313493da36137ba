"""Analyst and BI access to the published warehouse: read-only DuckDB connections and the SQLAlchemy URL.

The published file is replaced atomically by every build (see ``jixiao.warehouse.candidate``); a reader
opens it read-only, never blocks a build and sees the new version on its next connection.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from jixiao.runtime.config import Settings, settings


def sqlalchemy_url(cfg: Settings | None = None, database: Path | None = None) -> str:
    """``duckdb:////abs/path/jixiao.duckdb?access_mode=read_only`` — for SQLAlchemy (duckdb_engine), Superset."""
    path = Path(database or (cfg or settings()).warehouse_path).resolve()
    return f"duckdb:///{path}?access_mode=read_only"


def run_read_only(sql: str, cfg: Settings | None = None) -> tuple[list[str], list[tuple]]:
    """Run SQL (one or more statements) on a fresh read-only connection; the last statement's columns and rows."""
    with duckdb.connect(str((cfg or settings()).warehouse_path), read_only=True) as con:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
