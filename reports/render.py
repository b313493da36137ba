"""Render the report site (一部门一报告) from the published warehouse, read-only.

Layout of the site (``$JX_HOME/reports`` unless told otherwise)::

    index.html               the latest rendered period: province overview + ranking table with filters
    report.css               one style sheet for every page (screen and A4 print)
    <period>/index.html      the same for each rendered period
    <period>/<dept>.html     one page per department and period
    pdf/<period>/<dept>.pdf  on request (``jixiao report --pdf``, see :mod:`jixiao.reports.pdf`)

Batched: each mart is read once per period for every department (:mod:`jixiao.reports.data`), templates are
compiled once, every file is written atomically (temporary name, then rename) and stale pages are removed.
All text from the data is escaped by Jinja's autoescape; charts are built with escaped labels.
"""
from __future__ import annotations

import json
import os
import time
from itertools import groupby
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from jixiao.reports import charts, sources
from jixiao.reports.data import PeriodData, Row, load_departments, load_period, periods as scored_periods
from jixiao.runtime.config import BUSINESS_TZ, Settings, settings

TEMPLATES = Path(__file__).parent / "templates"
OnPage = Callable[[str, int, int], None]
GRADES = ("优", "良", "中", "差")
GRADE_CLASS = {"优": "g-a", "良": "g-b", "中": "g-c", "差": "g-d"}
TIER_ORDER = ("pilot", "standard", "partner", "diagnosis", "unscored")
STATUS_LABEL = {"met": "达标", "near": "接近目标", "missed": "未达标", "none": "无数据"}
STATUS_NAMES = {"ok": "正常", "renormalised": "权重已重新归一", "below_min_coverage": "覆盖不足，未评分",
                "no_data": "无数据", "excluded": "已移出", "missing": "缺失"}
"""Statuses of the score marts in Chinese."""


@dataclass
class SiteSummary:
    """What a render wrote: where, which periods, how many pages and bytes, how long it took."""

    out_dir: Path
    periods: list[str]
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    departments: dict[str, list[str]] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def _fmt(value, digits: int | None = None) -> str:
    """A number for people: thousands separators, one or two decimals, "—" for missing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if digits is None:
            digits = 1 if abs(value) >= 1 or value == 0 else 2
        return f"{value:,.{digits}f}"
    return str(value)


def _cell(value) -> str:
    """Any value of an optional mart as text (lists joined, JSON compacted, timestamps to the minute)."""
    if isinstance(value, (list, tuple)):
        return "、".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return _fmt(value)


def _cases(value) -> list[dict]:
    """Case-library suggestions (JSON text: a list of cases with at least a title) as a list; [] otherwise."""
    try:
        cases = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [c for c in cases if isinstance(c, dict) and c.get("title")] if isinstance(cases, list) else []


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment, built and its templates compiled once per process; autoescape everywhere."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=_fmt, cell=_cell, cases=_cases, pct=lambda v: "—" if v is None else f"{v * 100:.0f}%")
    env.globals.update(GRADE_CLASS=GRADE_CLASS, STATUS_LABEL=STATUS_LABEL, STATUS_NAMES=STATUS_NAMES,
                       NOT_YET=sources.NOT_YET,
                       small_sample=sources.SMALL_SAMPLE, quality_keys=sources.DATA_QUALITY)
    return env


def indicator_status(value: float | None, target: float | None, direction: str | None) -> str:
    """met / near (within 10 % of the target) / missed / none, from the value against its target."""
    if value is None or target is None:
        return "none"
    if direction == "lower":
        return "met" if value <= target else ("near" if value <= target * 1.1 else "missed")
    return "met" if value >= target else ("near" if value >= target * 0.9 else "missed")


def _indicator_rows(rows: list[dict]) -> list[dict]:
    dimension_order = {code: i for i, (code, _) in enumerate(sources.DIMENSIONS)}
    labels = dict(sources.DIMENSIONS)
    out = []
    for row in sorted(rows, key=lambda r: (dimension_order.get(r["dimension"], 9), r["indicator_code"])):
        status = indicator_status(row["value"], row["target"], row["direction"])
        sample = row["sample_size"]
        out.append(Row(row, dimension_name=labels.get(row["dimension"], row["dimension"]), status=status,
                       small_sample=sample is not None and 0 < sample < sources.SMALL_SAMPLE,
                       spark=charts.sparkline(row["history"][-12:], row["target"], status)))
    return out


def _why(items: list[dict]) -> dict:
    """The 360 parts and the indicators that added most and lost most points (ranked by the query)."""
    return {"parts": sorted((i for i in items if i["depth"] == 1), key=lambda i: -(i["weight"] or 0)),
            "gains": sorted((i for i in items if i["gain_rank"]), key=itemgetter("gain_rank")),
            "losses": sorted((i for i in items if i["loss_rank"]), key=itemgetter("loss_rank")),
            "exempted": [i for i in items if i["exempted"]]}


def _department_page(data: PeriodData, dept: dict, names: dict[str, str]) -> dict:
    code = dept["dept_code"]
    score = data.scores.get(code)
    labels = [label for _, label in sources.DIMENSIONS]
    radar = None
    if score is not None:
        radar = charts.radar(labels, [score[f"{d}_score"] for d, _ in sources.DIMENSIONS],
                             [score[f"type_avg_{d}"] for d, _ in sources.DIMENSIONS],
                             reference_label=f"{score['peer_group_name']}平均")
    indicators = _indicator_rows(data.indicators.get(code, []))
    return {
        "dept": dept, "score": score, "tier": data.tiers.get(code), "radar": radar,
        "dimensions": [(label, score and score[f"{d}_score"], score and score[f"type_avg_{d}"])
                       for d, label in sources.DIMENSIONS],
        "trend": charts.sparkline(data.score_history.get(code, []), None, "none", width=200, height=36),
        "indicators": indicators,
        "indicator_groups": [(name, list(rows)) for name, rows in groupby(indicators, key=itemgetter("dimension_name"))],
        "small_samples": [i for i in indicators if i["small_sample"]],
        "why": _why(data.contributions.get(code, [])),
        "slots": {key: {"data": slot, "rows": slot.rows.get(code, []), "total": slot.totals.get(code, 0)}
                  for key, slot in data.slots.items()},
        "available": data.available,
        "scored_periods": data.periods,
        "partner_name": names.get((data.tiers.get(code) or {}).get("partner_dept_code") or ""),
    }


def _overview(data: PeriodData) -> dict:
    grades = {g: 0 for g in GRADES}
    tiers: dict[str, tuple[str, int]] = {}
    for code, score in data.scores.items():
        if score["grade"] in grades:
            grades[score["grade"]] += 1
    for tier in data.tiers.values():
        label, count = tiers.get(tier["tier_code"], (tier["tier"], 0))
        tiers[tier["tier_code"]] = (label, count + 1)
    tier_rows = sorted(tiers.items(), key=lambda kv: TIER_ORDER.index(kv[0]) if kv[0] in TIER_ORDER else 9)
    return {
        "n_departments": len(data.departments),
        "n_scored": sum(1 for s in data.scores.values() if s["overall_score"] is not None),
        "grade_chart": charts.bars(list(grades.items()), [GRADE_CLASS[g] for g in GRADES]),
        "tier_chart": charts.bars([v for _, v in tier_rows], [f"t-{k}" for k, _ in tier_rows]),
        "alerts": data.slots["alerts"],
        "quality": [data.slots[key] for key in sources.DATA_QUALITY],
        "checks": data.checks,
    }


def _index_rows(data: PeriodData) -> list[dict]:
    rows = []
    alerts = data.slots["alerts"].totals
    for dept in data.departments:
        code = dept["dept_code"]
        rows.append(Row(dept=dept, score=data.scores.get(code), tier=data.tiers.get(code), alerts=alerts.get(code, 0)))
    rows.sort(key=lambda r: (r["score"] is None or r["score"]["overall_score"] is None,
                             -(r["score"]["overall_score"] or 0) if r["score"] else 0, r["dept"]["dept_code"]))
    return rows


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return len(data)


def _prune(folder: Path, keep: set[str]) -> None:
    for page in folder.glob("*.html"):
        if page.name not in keep:
            page.unlink()


def render_period(con: duckdb.DuckDBPyConnection, period: str, out_dir: Path, rendered: list[str],
                  generated_at: str, summary: SiteSummary, on_page: OnPage | None = None) -> PeriodData:
    """Write ``<period>/index.html`` and one page per department of the period."""
    env = environment()
    data = load_period(con, period)
    folder = out_dir / period
    folder.mkdir(parents=True, exist_ok=True)
    names = {d["dept_code"]: d["dept_name"] for d in data.departments}
    page_template = env.get_template("department.html.j2")
    common = {"period": period, "periods": rendered, "generated_at": generated_at, "root": "../",
              "pending_quality": [data.slots[k].slot.title for k in sources.DATA_QUALITY if not data.slots[k].available]}
    written = set()
    for done, dept in enumerate(data.departments, 1):
        html = page_template.render(**common, **_department_page(data, dept, names))
        summary.bytes += _write(folder / f"{dept['dept_code']}.html", html)
        written.add(f"{dept['dept_code']}.html")
        if on_page and (done % 100 == 0 or done == len(data.departments)):
            on_page(period, done, len(data.departments))
    index = env.get_template("index.html.j2").render(
        **common, overview=_overview(data), rows=_index_rows(data), page_prefix="")
    summary.bytes += _write(folder / "index.html", index)
    written.add("index.html")
    _prune(folder, written)
    summary.pages += len(data.departments)
    summary.departments[period] = [d["dept_code"] for d in data.departments]
    return data


def render_site(cfg: Settings | None = None, out_dir: Path | None = None, periods: list[str] | None = None,
                all_periods: bool = False, database: Path | None = None, on_page: OnPage | None = None) -> SiteSummary:
    """Render the site for the given periods (default: the latest scored one) into ``out_dir``.

    ``on_page(period, done, total)`` is called every hundred pages (progress).
    """
    cfg = cfg or settings()
    out_dir = Path(out_dir or cfg.reports_dir)
    started = time.perf_counter()
    generated_at = datetime.now(ZoneInfo(BUSINESS_TZ)).strftime("%Y-%m-%d %H:%M")
    env = environment()
    with duckdb.connect(str(database or cfg.warehouse_path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        available = scored_periods(con)
        unknown = sorted(set(periods or ()) - set(available))
        if unknown:
            raise ValueError(f"no scores for {', '.join(unknown)}; scored periods: {', '.join(available) or 'none'}")
        chosen = available if all_periods else sorted(periods or available[-1:])
        out_dir.mkdir(parents=True, exist_ok=True)
        summary = SiteSummary(out_dir, chosen)
        summary.bytes += _write(out_dir / "report.css", env.get_template("report.css.j2").render())
        if not chosen:  # a warehouse with no scored month yet: an index that says so
            summary.bytes += _write(out_dir / "index.html", env.get_template("empty.html.j2").render(
                generated_at=generated_at, departments=len(load_departments(con))))
            summary.seconds = time.perf_counter() - started
            return summary
        rendered = sorted(set(chosen) | {p.name for p in out_dir.iterdir() if p.is_dir() and p.name in available})
        latest = None
        for period in chosen:
            latest = render_period(con, period, out_dir, rendered, generated_at, summary, on_page)
    if latest.period == rendered[-1] or not (out_dir / "index.html").exists():
        index = env.get_template("index.html.j2").render(
            period=latest.period, periods=rendered, generated_at=generated_at, root="",
            overview=_overview(latest), rows=_index_rows(latest), page_prefix=f"{latest.period}/")
        summary.bytes += _write(out_dir / "index.html", index)
    summary.seconds = time.perf_counter() - started
    return summary
