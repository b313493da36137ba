"""Read what one period's report site needs from the warehouse: one query per mart for every department."""
from __future__ import annotations

import re
from collections import defaultdict
from fnmatch import fnmatchcase
from dataclasses import dataclass, field

import duckdb

from jixiao.reports import sources
from jixiao.reports.sources import SCHEMA, Slot

DEPT_KEYS = ("dept_code", "dept_codes", "responsible_dept_codes")
"""Columns that tie a slot's row to departments: a code, or a list of codes (each listed department sees the row)."""


class ReportDataMissing(RuntimeError):
    """The warehouse lacks a mart every report needs."""


@dataclass
class SlotData:
    """An optional slot's rows for one period: per department (shown rows, total) and province counts."""

    slot: Slot
    available: bool
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    province_rows: list[dict] = field(default_factory=list)
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values()) + len(self.province_rows)


@dataclass
class PeriodData:
    """Everything the pages of one period read, keyed by department code."""

    period: str
    periods: list[str]
    departments: list[dict]
    scores: dict[str, dict]
    score_history: dict[str, list[float | None]]
    tiers: dict[str, dict]
    indicators: dict[str, list[dict]]
    contributions: dict[str, list[dict]]
    slots: dict[str, SlotData]
    checks: SlotData | None
    available: set[str]


class Row(dict):
    """A result row: a dict whose columns are also attributes (templates read ``row.column`` without the cost
    of a failed attribute lookup first)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[Row]:
    """Rows as :class:`Row`; DECIMAL columns as floats (the pages compute with them)."""
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    decimals = [i for i, d in enumerate(cursor.description) if re.fullmatch(r"DECIMAL\(\d+,\d+\)", str(d[1]))]
    rows = cursor.fetchall()
    if decimals:
        rows = [tuple(float(v) if i in decimals and v is not None else v for i, v in enumerate(row)) for row in rows]
    return [Row(zip(names, row)) for row in rows]


def _group(rows: list[dict], key: str = "dept_code") -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


@dataclass(frozen=True)
class Column:
    data_type: str
    label: str


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Column]]:
    """Every mart of the warehouse with its columns: type and a Chinese label from the dbt docs persisted on it."""
    tables: dict[str, dict[str, Column]] = defaultdict(dict)
    for table, column, data_type, comment in con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns() where schema_name = ? "
            "order by table_name, column_index", [SCHEMA]).fetchall():
        tables[table][column] = Column(data_type, chinese_label(comment) or column)
    return dict(tables)


def chinese_label(comment: str | None) -> str | None:
    """The Chinese sentence of a bilingual dbt description ("Department. 部门编码。" → "部门编码")."""
    for sentence in reversed((comment or "").replace("。", "。\n").splitlines()):
        if any("\u4e00" <= ch <= "\u9fff" for ch in sentence):
            return sentence.strip().rstrip("。").split("（")[0].split("：")[0] or None
    return None


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Scored periods, oldest first."""
    _require(mart_columns(con), ("dim_department", "fct_dept_score"))
    return [row[0] for row in con.execute(sources.PERIODS).fetchall()]


def _require(tables: dict, names: tuple[str, ...]) -> None:
    missing = [name for name in names if name not in tables]
    if missing:
        raise ReportDataMissing(f"the warehouse has no {', '.join(SCHEMA + '.' + m for m in missing)}: "
                                "run `jixiao build` to publish a complete warehouse")


def load_departments(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _records(con, sources.DEPARTMENTS)


def load_period(con: duckdb.DuckDBPyConnection, period: str) -> PeriodData:
    """Read one period for all departments (a fixed number of queries, whatever the number of departments)."""
    tables = mart_columns(con)
    _require(tables, ("dim_department", "fct_dept_score"))
    all_periods = [row[0] for row in con.execute(sources.PERIODS).fetchall()]
    if period not in all_periods:
        raise ValueError(f"no scores for period {period!r}; scored periods: {', '.join(all_periods) or 'none'}")
    params = {"period": period}
    shown = all_periods[:all_periods.index(period) + 1]
    history = {}
    for row in _records(con, sources.SCORE_HISTORY, params):
        by_period = dict(zip(row["periods"], row["scores"]))
        history[row["dept_code"]] = [by_period.get(p) for p in shown]
    return PeriodData(
        period=period,
        periods=all_periods,
        departments=load_departments(con),
        scores={r["dept_code"]: r for r in _records(con, sources.SCORES, params)},
        score_history=history,
        tiers={r["dept_code"]: r for r in _records(con, sources.TIERS + " and t.period = $period", params)}
        if "fct_dept_tier" in tables else {},
        indicators=_group(_records(con, sources.INDICATORS, params)) if "fct_indicator_value" in tables else {},
        contributions=_group(_records(con, sources.CONTRIBUTIONS, params))
        if "fct_dept_score_contribution" in tables else {},
        slots={slot.key: load_slot(con, slot, period, tables) for slot in sources.SLOTS},
        checks=_load_checks(con, tables),
        available=set(tables),
    )


def load_slot(con: duckdb.DuckDBPyConnection, slot: Slot, period: str,
              tables: dict[str, dict[str, Column]] | None = None) -> SlotData:
    """Read a slot's present marts in one query: at most ``slot.limit`` rows per department, with totals."""
    tables = tables if tables is not None else mart_columns(con)
    present = [m for m in sorted(tables) if any(fnmatchcase(m, pattern) for pattern in slot.marts)]
    if not present:
        return SlotData(slot, available=False)
    wanted = [c for c, _ in slot.columns]
    selects, seen, selected = [], {}, set()
    for mart in present:
        columns = tables[mart]
        shown = [c for c in wanted if c in columns] or [c for c in columns if c not in DEPT_KEYS]
        hidden = [c for c, _ in slot.order if c in columns and c not in shown]
        if "period" in columns and "period" not in shown + hidden:
            hidden.append("period")
        dept_key = next((k for k in DEPT_KEYS if k in columns), None)
        select = [f'"{c}"' for c in shown + hidden]
        if dept_key == "dept_code":
            select.append("dept_code")
        elif dept_key is not None and columns[dept_key].data_type.endswith("[]"):
            select.append(f'unnest("{dept_key}") as dept_code')
        else:
            select.append("null::varchar as dept_code")
        conditions = [condition for column, condition in slot.where if column in columns]
        if "period" in columns and slot.periods in ("equal", "upto"):
            conditions.append("period = $period" if slot.periods == "equal" else "period <= $period")
        where = f"where {' and '.join(conditions)}" if conditions else ""
        selects.append(f"select {', '.join(select)} from {SCHEMA}.{mart} {where}")
        selected |= set(shown + hidden)
        for column in shown:
            seen.setdefault(column, dict(slot.columns).get(column, columns[column].label))
    union = " union all by name ".join(selects)
    order = ", ".join(term for column, term in slot.order if column in selected) or "1"
    rows = _records(con, f"""
        with rows as ({union})
        select *, count(*) over (partition by dept_code) as _total from rows
        qualify row_number() over (partition by dept_code order by {order}) <= {int(slot.limit)}
    """, {"period": period} if "$period" in union else None)
    data = SlotData(slot, available=True, columns=list(seen.items()))
    for row in rows:
        code = row.pop("dept_code")
        total = row.pop("_total")
        for column in selected - seen.keys():
            row.pop(column, None)
        if code is None:
            data.province_rows.append(row)
        else:
            data.rows.setdefault(code, []).append(row)
            data.totals[code] = total
    if "severity" in seen:
        data.by_severity = dict(con.execute(
            f"select coalesce(severity, '—'), count(*) from ({union}) group by all",
            {"period": period} if "$period" in union else {}).fetchall())
    return data


def _load_checks(con: duckdb.DuckDBPyConnection, tables: dict[str, dict[str, Column]]) -> SlotData | None:
    """Great Expectations results for the overview: every failed check, and counts by severity."""
    if sources.CHECK_RESULTS not in tables:
        return None
    columns = tables[sources.CHECK_RESULTS]
    failed = "where not success" if "success" in columns else ""
    rows = _records(con, f"select * from {SCHEMA}.{sources.CHECK_RESULTS} {failed} limit 50")
    slot = Slot("checks", "数据校验结果", (sources.CHECK_RESULTS,), ())
    data = SlotData(slot, available=True, columns=[(c, columns[c].label) for c in columns], province_rows=rows)
    if "severity" in columns:
        data.by_severity = dict(con.execute(
            f"select coalesce(severity, '—'), count(*) from {SCHEMA}.{sources.CHECK_RESULTS} {failed} group by all"
        ).fetchall())
    return data


def departments_in_tier(con: duckdb.DuckDBPyConnection, period: str, tier_code: str) -> list[str]:
    """Departments of a tier (e.g. ``diagnosis`` = 组织健康度诊断) in a period, lowest overall score first."""
    if "fct_dept_tier" not in mart_columns(con):
        return []
    return [row[0] for row in con.execute(
        f"select dept_code from ({sources.TIERS}) where period = ? and tier_code = ? "
        "order by overall_score nulls last, dept_code", [period, tier_code]).fetchall()]
