"""A hand-made warehouse with the marts the report site reads, for fast tests of rendering (no dbt)."""
from __future__ import annotations

from pathlib import Path

import duckdb
DIMENSIONS = ("mission", "strategy", "public", "process", "growth")


def make_warehouse(path: Path, departments: int = 3, periods: tuple[str, ...] = ("2026-01", "2026-02"),
                   dept_name=lambda i: f"测试市第{i}局") -> Path:
    """``departments`` departments of two types, scored in ``periods``, two indicators each, a 360 tree."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_department (dept_code varchar, dept_name varchar, dept_type varchar, "
                    "dept_type_name varchar, level_name varchar, region_code varchar, region_name varchar)")
        con.executemany("insert into marts.dim_department values (?, ?, ?, ?, '市级', 'R1', '测试市')",
                        [(f"D{i:04d}", dept_name(i), "A" if i % 2 else "B", "市场监管局" if i % 2 else "卫健委")
                         for i in range(departments)])
        con.execute(f"""
            create table marts.fct_dept_score as
            select d.dept_code, 'month' as period_type, p.period, d.dept_type, d.dept_type as peer_group,
                   d.dept_type_name as peer_group_name,
                   60 + (hash(d.dept_code) % 40)::double as overall_score,
                   case when 60 + (hash(d.dept_code) % 40) >= 90 then '优'
                        when 60 + (hash(d.dept_code) % 40) >= 80 then '良' else '中' end as grade,
                   75.0 as composite_score, 'ok' as composite_status, 'ok' as overall_status,
                   1.0 as overall_coverage, 1.0 as composite_coverage, 2 as n_indicators,
                   2 as n_indicators_with_data, 0 as n_exempted,
                   1 as rank_in_peer_group, {departments} as n_scored_in_peer_group, 1 as rank_in_region,
                   {departments} as n_scored_in_region,
                   {", ".join(f"{50 + 10 * i}.0 as {d}_score" for i, d in enumerate(DIMENSIONS))}
            from marts.dim_department d cross join (select unnest(?::varchar[]) as period) p
        """, [list(periods)])
        con.execute("""
            create table marts.fct_dept_tier as
            select dept_code, period_type, period, case when overall_score < 70 then 'diagnosis' else 'standard' end as tier_code,
                   case when overall_score < 70 then '组织健康度诊断' else '常规管理' end as tier,
                   '综合得分 ' || overall_score as reason, overall_score,
                   null::varchar as partner_dept_code, null::double as partner_score
            from marts.fct_dept_score
        """)
        con.execute("""
            create table marts.fct_indicator_value as
            select s.dept_code, i.indicator_code, i.indicator_name, i.dimension, i.unit, i.direction, i.target,
                   i.value, i.denominator, i.denominator as sample_size, s.period
            from marts.fct_dept_score s cross join (values
                ('HOTLINE_ON_TIME_RATE', '12345按时办结率', 'public', '%', 'higher', 95.0, 80.0, 12.0),
                ('MED_DISPUTE_DAYS', '医疗纠纷调处时长', 'process', '天', 'lower', 20.0, 15.0, 40.0)
            ) i(indicator_code, indicator_name, dimension, unit, direction, target, value, denominator)
        """)
        con.execute("create table marts.dim_indicator as select * from (values ('HOTLINE_ON_TIME_RATE', "
                    "'12345按时办结率', true), ('MED_DISPUTE_DAYS', '医疗纠纷调处时长', true)) "
                    "t(indicator_code, indicator_name, is_current)")
        con.execute("""
            create table marts.fct_dept_score_contribution as
            select s.dept_code, 'month' as period_type, s.period, 'overall' as tree, i.item, i.item_name, i.kind, i.parent, i.depth,
                   i.dimension, case when i.kind = 'indicator' then i.item end as indicator_code,
                   null::double as raw_value, i.score, i.weight, i.effective_weight,
                   i.score * i.effective_weight as contribution, 'ok' as status, false as exempted,
                   null::varchar as exclusion_reason
            from marts.fct_dept_score s cross join (values
                ('overall', '360度综合得分', 'node', null, 0, null, 80.0, 1.0, 1.0),
                ('composite', '指标综合得分', 'node', 'overall', 1, null, 90.0, 0.4, 0.4),
                ('360:recipients', '服务对象评价', 'node', 'overall', 1, null, 70.0, 0.6, 0.6),
                ('HOTLINE_ON_TIME_RATE', '12345按时办结率', 'indicator', 'dimension:public', 3, 'public', 84.2, 0.5, 0.2),
                ('MED_DISPUTE_DAYS', '医疗纠纷调处时长', 'indicator', 'dimension:process', 3, 'process', 100.0, 0.5, 0.2)
            ) i(item, item_name, kind, parent, depth, dimension, score, weight, effective_weight)
        """)
    return path


CASES = '[{"case_id": "C07", "title": "某市卫健委医疗纠纷人民调解<进驻>医院", "similarity": 0.4213}]'


def add_alerts(path: Path, rows: list[tuple]) -> None:
    """A mart with the standard alert columns (as the rules, models and ledger marts will have)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create table marts.fct_rule_alert (alert_key varchar, alert_type varchar, severity varchar, "
                    "dept_code varchar, period varchar, title varchar, detail varchar, evidence varchar, "
                    "raised_at timestamp, case_suggestions varchar)")
        con.executemany("insert into marts.fct_rule_alert values (?, 'consecutive_anomaly', ?, ?, ?, ?, ?, "
                        "'{\"values\": [1, 2]}', timestamp '2026-02-03 10:00', ?)",
                        [(*row, CASES) for row in rows])
