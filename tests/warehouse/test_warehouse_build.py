"""Full dbt build on the landing fixture: empty sources, publishing under a reader, completeness, recomputation, docs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest

from jixiao import pipeline
from jixiao.runtime.config import settings
from jixiao.warehouse import build_lock, dbt
from landing_fixture import fixture_departments, fixture_events, land

READER = textwrap.dedent("""
    import duckdb, json, pathlib, sys, time
    path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    con = duckdb.connect(path, read_only=True)
    before = con.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    queries = 0
    while not stop.exists():
        con.execute("select count(*) from marts.dim_department").fetchone()
        queries += 1
        time.sleep(0.05)
    con.close()
    with duckdb.connect(path, read_only=True) as fresh:
        after = fresh.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    print(json.dumps({"before": before, "queries": queries, "after": after}))
""")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build on an empty landing zone, then land the fixture and rebuild while a reader holds the warehouse."""
    home = tmp_path_factory.mktemp("wh") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        cfg = settings()
        first = pipeline.build(cfg)
        stop = home / "stop-reader"
        reader = subprocess.Popen([sys.executable, "-c", READER, str(cfg.warehouse_path), str(stop)],
                                  stdout=subprocess.PIPE, text=True)
        events = fixture_events()
        land(events, cfg)
        second = pipeline.build(cfg)
        stop.touch()
        out, _ = reader.communicate(timeout=60)
        yield {"cfg": cfg, "events": events, "first": first, "second": second,
               "reader": json.loads(out), "reader_rc": reader.returncode}


@pytest.fixture(scope="module")
def con(built):
    with duckdb.connect(str(built["cfg"].warehouse_path), read_only=True) as connection:
        yield connection


def test_empty_sources_build_and_a_reader_sees_the_new_version_after_reconnecting(built):
    reader = built["reader"]
    assert built["reader_rc"] == 0
    assert reader["before"] == 0, "the first build ran on an empty landing zone"
    assert reader["queries"] > 0, "the reader kept querying the old version during the rebuild"
    assert reader["after"] > 0, "after reconnecting it sees the rebuilt warehouse"
    print(f"full build on the fixture: {built['second'].total_seconds:.1f}s")


def test_every_department_has_every_applicable_indicator_and_period(con):
    departments, periods = con.execute("select count(*), (select count(distinct period) from marts.fct_indicator_value) "
                                       "from marts.dim_department").fetchone()
    assert periods == 3
    missing = con.execute("""
        with catalogue as (select * from reference.ref_indicators),
             periods as (select distinct period, strptime(period, '%Y-%m')::date as first_day
                         from marts.fct_indicator_value)
        select count(*) from marts.dim_department d cross join periods p
        join catalogue c on c.valid_from <= p.first_day and (c.valid_to is null or p.first_day < c.valid_to)
         and (coalesce(c.dept_types, '') = '' or list_contains(string_split(c.dept_types, '|'), d.dept_type))
        anti join marts.fct_indicator_value f
          on f.dept_code = d.dept_code and f.indicator_code = c.indicator_code and f.period = p.period
    """).fetchone()[0]
    assert missing == 0
    no_data = con.execute("select count(*) from marts.fct_indicator_value where not has_data and value is null").fetchone()[0]
    assert no_data > 0, "departments outside the fixture have explicit no-data rows"
    dimensions = {r[0] for r in con.execute("select distinct dimension from marts.fct_dept_portrait").fetchall()}
    assert dimensions == {"mission", "strategy", "public", "process", "growth"}
    assert con.execute("select count(distinct dept_code) from marts.fct_dept_portrait").fetchone()[0] == departments


def test_definitions_year_to_date_targets_bounds_and_months_without_posts(con):
    targets = dict(con.execute("select period, any_value(target) from marts.fct_indicator_value "
                               "where indicator_code = 'BUDGET_EXECUTION' group by period").fetchall())
    assert targets == {"2026-01": 7.5, "2026-02": 15.0, "2026-03": 22.5}, "序时进度: 90 % × months elapsed / 12"
    out_of_bounds = con.execute("""select count(*) from marts.fct_indicator_value
                                   where unit = '%' and indicator_code <> 'SR_REVENUE_GROWTH'
                                     and (value < 0 or value > 100)""").fetchone()[0]
    assert out_of_bounds == 0
    posts = con.execute("""select count(*) filter (where not has_data), count(*) filter (where value = 0),
                                  count(*) filter (where value > 0)
                           from marts.fct_indicator_value where indicator_code = 'OPINION_POSTS'""").fetchone()
    assert posts[0] == 0 and posts[1] > 0 and posts[2] > 0, "no post about a department is 0 posts, not no data"


def test_reweighting_keeps_earlier_periods(con):
    rows = dict(con.execute("select period, any_value(weight) from marts.fct_indicator_value "
                            "where indicator_code = 'HOTLINE_ON_TIME_RATE' group by period").fetchall())
    assert rows == {"2026-01": 1.0, "2026-02": 1.0, "2026-03": 1.5}
    assert con.execute("select max(period) from marts.fct_indicator_value where indicator_code = 'OPINION_POSTS'"
                       ).fetchone()[0] == "2026-02", "a retired indicator stops at its valid_to"


def _month(event) -> str:
    return datetime.fromisoformat(event["occurred_at"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


def _recomputed(events) -> dict[tuple[str, str, str], float]:
    """HOTLINE_ON_TIME_RATE, REVIEW_SATISFACTION and JOINT_APPROVAL_COVERAGE straight from the events."""
    unique = {e["event_id"]: e for e in events}.values()
    counts = defaultdict(lambda: [0, 0])
    for e in unique:
        key = None
        if e["event_type"] == "ticket_closed":
            key, hit = "HOTLINE_ON_TIME_RATE", e["payload"]["on_time"]
        elif e["event_type"] == "review":
            key, hit = "REVIEW_SATISFACTION", e["payload"]["rating"] >= 4
        elif e["event_type"] == "approval_done":
            key, hit = "JOINT_APPROVAL_COVERAGE", e["payload"]["joint"]
        if key:
            cell = counts[e["dept_code"], key, _month(e)]
            cell[0] += hit
            cell[1] += 1
    return {k: 100.0 * n / d for k, (n, d) in counts.items()}


def test_three_indicators_recomputed_from_raw_events_match_the_mart(built, con):
    expected = _recomputed(built["events"])
    rows = con.execute("select f.dept_code, f.indicator_code, f.period, f.value from marts.fct_indicator_value f "
                       "where f.has_data and f.indicator_code in "
                       "('HOTLINE_ON_TIME_RATE', 'REVIEW_SATISFACTION', 'JOINT_APPROVAL_COVERAGE')").fetchall()
    dept_types = {d["dept_code"]: d["dept_type"] for d in fixture_departments()}
    applicable = {k: v for k, v in expected.items()
                  if k[1] != "JOINT_APPROVAL_COVERAGE" or dept_types[k[0]] == "XZSP"}
    assert {(d, i, p): v for d, i, p, v in rows} == pytest.approx(applicable)


def test_the_build_generates_the_docs_offline(built):
    target = built["cfg"].home / "dbt" / "target"
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    assert "model.jixiao.fct_indicator_value" in catalog["nodes"]
    page = (target / "static_index.html").read_text(encoding="utf-8")
    assert "fct_indicator_value" in page
    inline = page.index('{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/')
    manifest, _ = json.JSONDecoder().raw_decode(page, inline)
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models and all(n.get("compiled_code") for n in models)  # the page shows every model's compiled SQL


def test_the_docs_are_generated_again_only_when_the_dbt_project_changed(built, tmp_path, monkeypatch):
    assert built["first"].steps["docs"]["generated"] is True
    assert built["second"].steps["docs"]["generated"] is False  # new data, same project: the docs stand
    project = tmp_path / "dbt_project"
    shutil.copytree(dbt.DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    monkeypatch.setattr(dbt, "DBT_DIR", project)
    before = dbt.project_digest()
    schema = project / "models" / "marts" / "_marts__models.yml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("description:", "description: 改", 1), encoding="utf-8")
    assert dbt.project_digest() != before


def test_every_dbt_unit_test_passes_against_the_built_warehouse(built):
    """Builds leave dbt's unit tests out (fixed inputs); the suite runs every one of them here."""
    manifest = json.loads((built["cfg"].home / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8"))
    unit_tests = {node["name"] for node in manifest["unit_tests"].values()}
    results = []
    with build_lock(built["cfg"]) as candidate:
        try:
            dbt.dbt_unit_tests(candidate.start(), on_node=results.append)
        finally:
            candidate.discard()
    assert len(unit_tests) >= 20
    assert len(results) == len(unit_tests) and all(" PASS " in line for line in results), results


def test_not_null_columns_names_each_column_with_nulls_and_passes_without(built, tmp_path):
    """The not-null checks are one test per model (not_null_columns): run its compiled SQL on a copy of the
    warehouse, untouched and with nulls written into two of the columns it lists."""
    target = built["cfg"].home / "dbt" / "target"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    file, = (node["path"] for node in manifest["nodes"].values()
             if node.get("test_metadata", {}).get("name") == "not_null_columns"
             and node.get("attached_node") == "model.jixiao.dim_department")
    sql = next((target / "compiled").rglob(file)).read_text(encoding="utf-8")  # as the last build ran it
    copy = tmp_path / "candidate.duckdb"  # the compiled SQL names the catalogue of the file dbt built: candidate
    shutil.copyfile(built["cfg"].warehouse_path, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []
        first = con.execute("select dept_code from marts.dim_department order by dept_code limit 1").fetchone()[0]
        con.execute("update marts.dim_department set dept_name = null where dept_code = ?", [first])
        con.execute("update marts.dim_department set region_code = null")
        departments = con.execute("select count(*) from marts.dim_department").fetchone()[0]
        assert sorted(con.execute(sql).fetchall()) == [("dept_name", 1), ("region_code", departments)]
