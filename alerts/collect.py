"""Collect every alert mart of the candidate into ``marts.fct_alert`` (a build step, before the checks gate).

An alert mart is any table ``marts.fct_<name>_alert`` (``fct_rule_alert``, ``fct_model_alert``,
``fct_ledger_alert`` …): a stage raises alerts by building such a table with the standard columns, nothing
else to register. They are the platform's own output, so a malformed one is a structural error that
blocks the publish: a missing column, an empty or repeated ``alert_key``, ``evidence`` that is not JSON.
"""
from __future__ import annotations

import duckdb

MART_SCHEMA = "marts"
TARGET = "fct_alert"
ALERT_COLUMNS = {
    "alert_key": "varchar",
    "alert_type": "varchar",
    "severity": "varchar",
    "dept_code": "varchar",
    "period": "varchar",
    "title": "varchar",
    "detail": "varchar",
    "evidence": "varchar",
    "raised_at": "timestamptz",
}
"""The standard alert columns and the type each has in ``fct_alert`` (``evidence`` is JSON text)."""


class AlertMartError(RuntimeError):
    """An alert mart breaks the standard shape; the candidate is not published."""


def alert_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the alert marts (``marts.fct_*_alert``, not ``fct_alert`` itself), each checked for its columns."""
    tables = [row[0] for row in con.execute(
        r"select table_name from information_schema.tables where table_schema = ? "
        r"and table_name like 'fct\_%\_alert' escape '\' and table_name <> ? order by table_name",
        [MART_SCHEMA, TARGET]).fetchall()]
    for table in tables:
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [MART_SCHEMA, table]).fetchall()}
        missing = [c for c in ALERT_COLUMNS if c not in columns]
        if missing:
            raise AlertMartError(f"{MART_SCHEMA}.{table} is named like an alert mart but lacks {', '.join(missing)}")
    return tables


def _select(table: str) -> str:
    casts = ", ".join(f"cast({column} as {type_}) as {column}" for column, type_ in ALERT_COLUMNS.items())
    return f"select {casts}, '{table}' as source_table from {MART_SCHEMA}.{table}"


def _problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    checks = {
        "empty alert_key": f"select source_table from {MART_SCHEMA}.{TARGET} where coalesce(alert_key, '') = ''",
        "repeated alert_key": f"select alert_key from {MART_SCHEMA}.{TARGET} group by alert_key having count(*) > 1",
        "evidence that is not JSON": f"select alert_key from {MART_SCHEMA}.{TARGET} "
                                     "where evidence is not null and not json_valid(evidence)",
    }
    problems = []
    for what, query in checks.items():
        examples = [str(row[0]) for row in con.execute(f"{query} limit 3").fetchall()]
        if examples:
            problems.append(f"{what} (e.g. {', '.join(examples)})")
    return problems


def collect_alerts(con: duckdb.DuckDBPyConnection) -> dict:
    """(Re)build ``marts.fct_alert`` from the alert marts; raise AlertMartError if the result is malformed."""
    sources = alert_marts(con)
    empty = ", ".join(f"cast(null as {type_}) as {column}" for column, type_ in ALERT_COLUMNS.items())
    body = " union all ".join(_select(t) for t in sources) or f"select {empty}, '' as source_table limit 0"
    con.execute(f"create schema if not exists {MART_SCHEMA}")
    con.execute(f"create or replace table {MART_SCHEMA}.{TARGET} as {body}")
    problems = _problems(con)
    if problems:
        raise AlertMartError(f"{MART_SCHEMA}.{TARGET} is malformed, nothing published: {'; '.join(problems)}")
    counts = dict(con.execute(f"select source_table, count(*) from {MART_SCHEMA}.{TARGET} group by 1").fetchall())
    return {"sources": sources, "alerts": sum(counts.values()), "by_source": counts}
