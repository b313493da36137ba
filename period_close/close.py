"""Month-end close (月度关账): freeze a period's published results so later data cannot rewrite them.

``close_period`` copies the period's rows of the score, tier and partner marts from the published
warehouse into ``$JX_HOME/closes/period=<YYYY-MM>/`` (Parquet + ``manifest.json`` with row counts and
SHA-256), outside the rebuildable warehouse, written under a temporary name and renamed; a closed period
stays closed (closing it again returns the existing manifest). ``load_closes`` is a build step: it turns
every closed period into ``marts.fct_period_close`` (the frozen result per department) and
``marts.fct_period_close_notice`` (one result notice per scored department, in the standard alert shape,
delivered by ``jixiao.alerts`` as the ``notices`` stream).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from jixiao.runtime.config import BUSINESS_TZ, Settings

SNAPSHOT_MARTS = ("fct_dept_score", "fct_dept_tier", "fct_partner_pair")
"""The marts whose monthly rows of the period are frozen (``period_type`` 'month', ``period`` 'YYYY-MM')."""
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PeriodNotScored(LookupError):
    """The published warehouse holds no scores for the requested period."""


class CloseTampered(RuntimeError):
    """A frozen file no longer matches the SHA-256 its manifest recorded."""


def closes_dir(cfg: Settings) -> Path:
    return cfg.home / "closes"


def _period_dir(cfg: Settings, period: str) -> Path:
    return closes_dir(cfg) / f"period={period}"


def scored_periods(cfg: Settings) -> list[str]:
    """Periods with at least one graded department in the published warehouse, oldest first."""
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        return [row[0] for row in con.execute(
            "select distinct period from marts.fct_dept_score where period_type = 'month' and grade is not null "
            "order by period").fetchall()]


def resolve_period(requested: str, cfg: Settings, logical_date: datetime | None = None) -> str:
    """'previous' (the month before the run's date, business time), 'latest' (newest scored) or 'YYYY-MM'."""
    if requested == "latest":
        periods = scored_periods(cfg)
        if not periods:
            raise PeriodNotScored(f"no scored period in {cfg.warehouse_path}")
        return periods[-1]
    if requested == "previous":
        day = (logical_date or datetime.now(timezone.utc)).astimezone(ZoneInfo(BUSINESS_TZ)).date()
        first = date(day.year, day.month, 1)
        return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"
    if not PERIOD.match(requested):
        raise ValueError(f"period {requested!r} is not 'previous', 'latest' or YYYY-MM")
    return requested


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def close_period(cfg: Settings, period: str, closed_by: str) -> dict:
    """Freeze ``period``'s published results; return the manifest (``already_closed`` when it was)."""
    target = _period_dir(cfg, period)
    if (target / "manifest.json").exists():
        return {**json.loads((target / "manifest.json").read_text(encoding="utf-8")), "already_closed": True}
    periods = scored_periods(cfg)
    if period not in periods:
        raise PeriodNotScored(f"period {period} has no graded department in {cfg.warehouse_path}; scored periods: "
                              f"{', '.join(periods[-6:]) or 'none'} — pass one of them (or 'latest')")
    staging = closes_dir(cfg) / f".period={period}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    tables = {}
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        for mart in SNAPSHOT_MARTS:
            path = staging / f"{mart}.parquet"
            con.execute(f"copy (select * from marts.{mart} where period_type = 'month' and period = $period) "
                        f"to '{path}' (format parquet, compression zstd)", {"period": period})
            rows = con.execute(f"select count(*) from marts.{mart} where period_type = 'month' and period = ?",
                               [period]).fetchone()[0]
            tables[mart] = {"rows": rows, "sha256": _sha256(path)}
    manifest = {"period": period, "closed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "closed_by": closed_by, "tables": tables}
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.rename(staging, target)
    fd = os.open(closes_dir(cfg), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return {**manifest, "already_closed": False}


def _closed(cfg: Settings) -> list[tuple[Path, dict]]:
    """Every closed period's folder and manifest, each file checked against its recorded SHA-256."""
    closed = []
    for path in sorted(closes_dir(cfg).glob("period=*/manifest.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for mart, recorded in manifest["tables"].items():
            if _sha256(path.parent / f"{mart}.parquet") != recorded["sha256"]:
                raise CloseTampered(f"{path.parent / mart}.parquet changed after period {manifest['period']} was "
                                    "closed (SHA-256 differs from its manifest)")
        closed.append((path.parent, manifest))
    return closed


FROZEN_COLUMNS = """
    period varchar, dept_code varchar, dept_name varchar, dept_type varchar, overall_score double, grade varchar,
    tier_code varchar, tier varchar, reason varchar, partner_dept_code varchar, rank_in_peer_group bigint,
    n_scored_in_peer_group bigint, closed_at timestamptz, closed_by varchar
"""
FROZEN_RESULT = """
    select s.period, s.dept_code, d.dept_name, s.dept_type, s.overall_score, s.grade, t.tier_code, t.tier,
           t.reason, t.partner_dept_code, s.rank_in_peer_group, s.n_scored_in_peer_group,
           cast($closed_at as timestamptz) as closed_at, $closed_by as closed_by
    from read_parquet($score) s
    join read_parquet($tier) t using (dept_code, period)
    left join marts.dim_department d using (dept_code)
"""
NOTICE = """
    select 'close:' || period || ':' || dept_code as alert_key, 'period_close' as alert_type,
           case when tier_code = 'diagnosis' then 'warning' else 'info' end as severity,
           dept_code, period,
           period || ' 绩效考核结果：' || grade || ' · ' || tier as title,
           coalesce(dept_name, dept_code) || '：综合得分 ' || round(overall_score, 1) || '，等级 ' || grade || '，'
             || tier || '。' || coalesce(reason, '')
             || coalesce('；帮扶伙伴 ' || partner_dept_code, '') as detail,
           json_object('overall_score', overall_score, 'grade', grade, 'tier_code', tier_code,
                       'rank_in_peer_group', rank_in_peer_group, 'n_scored_in_peer_group', n_scored_in_peer_group,
                       'partner_dept_code', partner_dept_code, 'closed_by', closed_by)::varchar as evidence,
           closed_at as raised_at
    from marts.fct_period_close
    where grade is not null
"""


def load_closes(con: duckdb.DuckDBPyConnection, cfg: Settings) -> dict:
    """Build ``marts.fct_period_close`` and ``marts.fct_period_close_notice`` from every closed period."""
    closed = _closed(cfg)
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.fct_period_close ({FROZEN_COLUMNS})")
    for folder, manifest in closed:
        con.execute(f"insert into marts.fct_period_close by name {FROZEN_RESULT}",
                    {"score": str(folder / "fct_dept_score.parquet"), "tier": str(folder / "fct_dept_tier.parquet"),
                     "closed_at": manifest["closed_at"], "closed_by": manifest["closed_by"]})
    con.execute(f"create or replace table marts.fct_period_close_notice as {NOTICE}")
    con.execute("comment on table marts.fct_period_close is "
                "'月度关账结果：每个已关账期间每个部门的冻结结果 (frozen result of each closed period per department)'")
    con.execute("comment on table marts.fct_period_close_notice is "
                "'关账结果通知：每个已评分部门一条，标准预警列 (one result notice per scored department, alert columns)'")
    return {"closed_periods": [manifest["period"] for _, manifest in closed],
            "notices": con.execute("select count(*) from marts.fct_period_close_notice").fetchone()[0]}
