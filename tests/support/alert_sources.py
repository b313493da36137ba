"""A hand-made alert source: marts raising alerts in the standard shape, as the integrity, model and ledger
stages do (``marts.fct_<name>_alert``)."""
from __future__ import annotations

import json

import duckdb


def add_alert_mart(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Create ``marts.<table>`` holding ``rows`` (standard alert columns plus a column of its own)."""
    con.execute("create schema if not exists marts")
    con.execute(f"""create or replace table marts.{table} (alert_key varchar, alert_type varchar, severity varchar,
        dept_code varchar, period varchar, title varchar, detail varchar, evidence json, raised_at timestamptz,
        rule_version integer)""")
    con.executemany(f"insert into marts.{table} values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    [[r["alert_key"], r.get("alert_type", "consecutive_anomaly"), r.get("severity", "high"),
                      r.get("dept_code", "ZJ-HZ-WJW"), r.get("period", "2026-06"), r.get("title", "医疗纠纷调处时长连续异常"),
                      r.get("detail", "连续 3 个月超出控制上限"), json.dumps(r.get("evidence", {"values": [52, 55, 58]})),
                      r.get("raised_at", "2026-07-01 08:00:00+08")] for r in rows])


def alerts(prefix: str, n: int) -> list[dict]:
    return [{"alert_key": f"{prefix}:{i}", "dept_code": f"ZJ-HZ-D{i:02d}"} for i in range(n)]
