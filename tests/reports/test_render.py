"""The report site from a hand-made warehouse: pages, links, optional slots, escaping, batching."""
from __future__ import annotations

import re

import duckdb
import pytest
from report_warehouse import add_alerts, make_warehouse

from jixiao.reports import data as report_data
from jixiao.reports import sources
from jixiao.reports.data import ReportDataMissing, load_period
from jixiao.reports.render import indicator_status, render_site


def site(warehouse, tmp_path, **kwargs):
    return render_site(out_dir=tmp_path / "site", database=warehouse, **kwargs)


def test_one_page_per_department_and_an_index_whose_links_all_resolve(warehouse, tmp_path):
    summary = site(warehouse, tmp_path)
    assert summary.periods == ["2026-02"]
    pages = sorted(p.name for p in (tmp_path / "site" / "2026-02").glob("D*.html"))
    assert pages == ["D0000.html", "D0001.html", "D0002.html"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert {"2026-02/D0000.html", "2026-02/D0001.html", "2026-02/D0002.html"} <= set(links)
    for link in links:
        assert (tmp_path / "site" / link).exists(), link
    page = (tmp_path / "site" / "2026-02" / "D0001.html").read_text(encoding="utf-8")
    for link in re.findall(r'href="([^"#]+)"', page):
        assert (tmp_path / "site" / "2026-02" / link).resolve().exists(), link


def test_a_page_shows_grade_tier_ranks_radar_and_indicators_against_target(warehouse, tmp_path):
    site(warehouse, tmp_path)
    page = (tmp_path / "site" / "2026-02" / "D0001.html").read_text(encoding="utf-8")
    assert "测试市第1局" in page and "市场监管局平均" in page
    assert page.count('<polygon class="subject"') == 1 and page.count('<line class="axis"') == 5
    assert re.search(r'class="grade g-[abcd]">[优良中差]<', page)
    assert "组织健康度诊断" in page or "常规管理" in page
    # 80 % against ≥ 95 % is missed (not within 10 %); 15 days against ≤ 20 days is met; 12 cases is a small sample
    assert re.search(r"12345按时办结率.*?未达标", page, re.S)
    assert re.search(r"医疗纠纷调处时长.*?达标", page, re.S)
    assert "n=12 样本较少" in page
    assert "n=40" not in page  # 40 cases is not small
    assert "失分最多的指标" in page and "+16.8" in page  # 84.2 × 0.2 = 16.84 points


def test_slots_without_their_mart_say_not_yet_available(warehouse, tmp_path):
    site(warehouse, tmp_path)
    page = (tmp_path / "site" / "2026-02" / "D0000.html").read_text(encoding="utf-8")
    assert page.count(sources.NOT_YET) >= len(sources.SLOTS) - len(sources.DATA_QUALITY)
    assert "僵尸指标" in page and "本福特定律检验" in page


def test_an_alert_mart_is_shown_for_its_department_only_and_escaped(warehouse, tmp_path):
    hostile = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    add_alerts(warehouse, [("a1", "high", "D0001", "2026-02", hostile, "连续三期超出控制限"),
                           ("a2", "low", "D0001", "2026-01", "较早的预警", "—"),
                           ("a3", "medium", "D0001", "2026-03", "以后的预警", "—"),
                           ("a4", "high", "D0002", "2026-02", "别的部门", "—")])
    with duckdb.connect(str(warehouse)) as con:  # the collected alerts (delivery) must not count twice
        con.execute("create table marts.fct_alert as select * exclude (case_suggestions) from marts.fct_rule_alert")
    site(warehouse, tmp_path)
    page = (tmp_path / "site" / "2026-02" / "D0001.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=" in page
    assert "<script>window" not in page and "<img src=x" not in page
    assert "较早的预警" in page and "以后的预警" not in page and "别的部门" not in page
    assert page.index("&lt;script&gt;") < page.index("较早的预警")  # high severity first
    assert "<li>某市卫健委医疗纠纷人民调解&lt;进驻&gt;医院 <small>（相似度 0.42）</small></li>" in page
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "本期及以前共 3 条预警" in index


def test_hostile_names_are_escaped_everywhere(tmp_path):
    warehouse = make_warehouse(tmp_path / "w.duckdb", dept_name=lambda i: f'<b onmouseover="x">局{i}</b>')
    site(warehouse, tmp_path)
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<b onmouseover" not in text, page
    assert "&lt;b onmouseover=&#34;x&#34;&gt;局1&lt;/b&gt;" in (tmp_path / "site" / "index.html").read_text()


def test_a_list_of_responsible_departments_shows_the_row_on_each_of_their_pages(warehouse, tmp_path):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.fct_ledger_verification as select '乡村振兴' as fund_name, 120 as entries, "
                    "'tampered' as verification_status, ['D0000', 'D0002'] as responsible_dept_codes")
    site(warehouse, tmp_path)
    pages = {code: (tmp_path / "site" / "2026-02" / f"{code}.html").read_text(encoding="utf-8")
             for code in ("D0000", "D0001", "D0002")}
    assert "乡村振兴" in pages["D0000"] and "乡村振兴" in pages["D0002"] and "乡村振兴" not in pages["D0001"]


def test_reading_a_period_costs_the_same_queries_for_3_or_300_departments(tmp_path, monkeypatch):
    counts, real = {}, report_data._records
    for n in (3, 300):
        path = make_warehouse(tmp_path / f"w{n}.duckdb", departments=n)
        calls = []
        monkeypatch.setattr(report_data, "_records", lambda con, sql, params=None: calls.append(sql) or
                            real(con, sql, params))
        with duckdb.connect(str(path), read_only=True) as con:
            period = load_period(con, "2026-02")
        assert len(period.departments) == n
        counts[n] = len(calls)
    assert counts[3] == counts[300]


def test_stale_pages_are_removed_and_every_period_can_be_rendered(tmp_path):
    big = make_warehouse(tmp_path / "a" / "w.duckdb", departments=4)
    site(big, tmp_path, all_periods=True)
    assert (tmp_path / "site" / "2026-01" / "D0003.html").exists()
    small = make_warehouse(tmp_path / "b" / "w.duckdb", departments=2)
    summary = site(small, tmp_path, all_periods=True)
    assert summary.pages == 4
    assert not (tmp_path / "site" / "2026-01" / "D0003.html").exists()
    assert '<a href="../2026-01/D0001.html">2026-01</a>' in (tmp_path / "site" / "2026-02" / "D0001.html").read_text()


def test_an_unknown_period_or_a_warehouse_without_scores_is_refused_clearly(warehouse, tmp_path):
    with pytest.raises(ValueError, match="no scores for 1999-01; scored periods: 2026-01, 2026-02"):
        site(warehouse, tmp_path, periods=["1999-01"])
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.fct_dept_score")
    with pytest.raises(ReportDataMissing, match="no marts.fct_dept_score: run `jixiao build`"):
        site(warehouse, tmp_path)


@pytest.mark.parametrize("value, target, direction, status", [
    (95.0, 95.0, "higher", "met"), (85.5, 95.0, "higher", "near"), (85.4, 95.0, "higher", "missed"),
    (20.0, 20.0, "lower", "met"), (22.0, 20.0, "lower", "near"), (22.1, 20.0, "lower", "missed"),
    (None, 95.0, "higher", "none"),
])
def test_indicator_status_against_target_is_direction_aware(value, target, direction, status):
    assert indicator_status(value, target, direction) == status


def test_held_values_list_only_intercepted_values_up_to_the_period(warehouse, tmp_path):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""create table marts.fct_held_value as select * from (values
            ('D0001', '2026-02', '好差评满意度', 99.6, 'held', '待复核，暂不计分'),
            ('D0001', '2026-02', '12345满意率', 100.0, 'low_sample', '样本不足，不作异常值处理，计分'),
            ('D0001', '2026-03', '信访群众满意率', 99.9, 'held', '以后的数值')
        ) t(dept_code, period, indicator_name, value, outlier_status, status_name)""")
    site(warehouse, tmp_path)
    page = (tmp_path / "site" / "2026-02" / "D0001.html").read_text(encoding="utf-8")
    assert "待复核，暂不计分" in page and "样本不足，不作异常值处理" not in page and "以后的数值" not in page


def test_the_overview_counts_failed_checks_and_says_which_quality_marts_are_missing(warehouse, tmp_path):
    site(warehouse, tmp_path)
    assert re.search(r"未通过</td><td class=\"num\"><span class=\"empty\">暂无数据", (tmp_path / "site" / "index.html").read_text())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.fct_check_result as select * from (values ('s', 'warn', false), "
                    "('s', 'error', false), ('s', 'error', true)) t(suite, severity, success)")
    site(warehouse, tmp_path)
    assert re.search(r"未通过</td><td class=\"num\">2</td>", (tmp_path / "site" / "index.html").read_text())


def test_a_warehouse_without_a_scored_month_gets_an_index_saying_so(tmp_path):
    warehouse = make_warehouse(tmp_path / "w.duckdb", periods=())
    summary = site(warehouse, tmp_path)
    assert summary.periods == [] and summary.pages == 0
    assert "尚无任何月份的评分" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
