"""Render the report index from the published warehouse (read-only)."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jixiao.runtime.config import BUSINESS_TZ, Settings, settings

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1f}%"
    return env


def render_index(cfg: Settings | None = None) -> Path:
    """Write ``reports/index.html``: every department with its 12345 on-time closure rate by month."""
    cfg = cfg or settings()
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        months = [r[0] for r in con.execute(
            "select distinct period from marts.fct_hotline_closure_monthly order by period").fetchall()]
        rows = con.execute("""
            select d.dept_code, d.dept_name, d.dept_type_name, d.region_name, d.level_name,
                   list(f.on_time_closure_rate order by f.period) filter (where f.period is not null) as rates,
                   list(f.period order by f.period) filter (where f.period is not null) as rate_months,
                   100.0 * sum(f.tickets_closed_on_time) / sum(f.tickets_closed) as overall_rate,
                   coalesce(sum(f.tickets_closed), 0) as tickets_closed
            from marts.dim_department d
            left join marts.fct_hotline_closure_monthly f using (dept_code)
            group by all
            order by d.dept_code
        """).fetchall()
    departments = []
    for code, name, type_name, region, level, rates, rate_months, overall, closed in rows:
        by_month = dict(zip(rate_months or [], rates or []))
        departments.append({"code": code, "name": name, "type_name": type_name, "region": region,
                            "level": level, "overall": overall, "closed": closed,
                            "monthly": [by_month.get(m) for m in months]})
    html = _environment().get_template("index.html.j2").render(
        departments=departments, months=months,
        generated_at=datetime.now(ZoneInfo(BUSINESS_TZ)).strftime("%Y-%m-%d %H:%M"))
    cfg.reports_dir.mkdir(parents=True, exist_ok=True)
    target = cfg.reports_dir / "index.html"
    tmp = target.with_name(".index.html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
