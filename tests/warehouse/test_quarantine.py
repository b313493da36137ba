"""Unknown reference codes never block publishing: the events are kept, held in quarantine (counted in
``marts.fct_quarantined_record``, shown by ``jixiao ingest status``), kept out of every mart, and flow in on the
first build after the department seed gains the code — also into the incremental staging models.
The first build also overlaps a crashed commit (killed before its marker): it reads committed rows only; and two
commits that became visible late (killed after the marker, before or between the renames of their files): the next
build, after the recovery, stages the rest of them, however old."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from jixiao import pipeline
from jixiao.ingestors.landing import CRASH_POINT_ENV, LandingZone
from jixiao.ingestors.status import quarantined_by_reason
from jixiao.runtime.config import REPO_ROOT, settings
from jixiao.warehouse import dbt as warehouse_dbt
from landing_fixture import fixture_events, land

SHANGHAI = timezone(timedelta(hours=8))
NEW_DEPT = "ZZ-NOPE"


def _held_events(known: str) -> list[dict]:
    """Events naming unknown codes: a department (envelope), a co-department (payload), an indicator."""
    at = datetime(2026, 2, 10, 9, tzinfo=SHANGHAI)

    def event(source, event_type, n, dept, payload, minutes=0):
        return {"event_id": f"{source}-held-{n}", "source": source, "event_type": event_type,
                "occurred_at": (at + timedelta(minutes=minutes)).isoformat(), "dept_code": dept,
                "schema_version": 1, "payload": payload}

    return [
        event("hotline_12345", "ticket_created", 1, NEW_DEPT,
              {"ticket_id": "TK-NOPE-1", "category": "咨询", "text": "路灯不亮", "assigned_dept": NEW_DEPT}),
        event("hotline_12345", "ticket_closed", 2, NEW_DEPT,
              {"ticket_id": "TK-NOPE-1", "resolved": True, "on_time": True, "satisfaction": 5}, minutes=60),
        event("gov_oa", "task_assigned", 3, known,
              {"task_id": "T-NOPE", "policy_id": "POL-202602", "deadline": "2026-02-20", "lead_dept": known,
               "co_depts": [NEW_DEPT]}),
        event("gov_oa", "kpi_reported", 4, known, {"indicator_code": "SR_NOT_IN_CATALOGUE", "period": "2026-02",
                                                   "value": 99.0}),
    ]


_CRASHED_LANDING = """
import sys, datetime as clock
sys.path.insert(0, 'tests/support')
import jixiao.ingestors.landing as landing
from jixiao.runtime.config import settings
from landing_fixture import land

name, dept, partition, days_old, *days = sys.argv[1:]

class Clock(clock.datetime):
    @classmethod
    def now(cls, tz=None):
        return clock.datetime.now(tz) - clock.timedelta(days=int(days_old))

landing.datetime = Clock
land([{'event_id': f'hotline_12345-{name}-{i}', 'source': 'hotline_12345', 'event_type': 'ticket_created',
       'occurred_at': f'{day}T10:00:00+08:00', 'dept_code': dept, 'schema_version': 1,
       'payload': {'ticket_id': f'TK-{name}-{i}', 'category': '咨询', 'text': '无', 'assigned_dept': dept}}
      for i, day in enumerate(days)], settings(), partition=int(partition))
"""


def _crash_a_commit(cfg, dept: str, name: str, point: str, partition: int, days: list[str], days_old: int = 0) -> None:
    """Land hotline events (one per business day in ``days``, in offset order) into ``partition`` in a process
    killed (SIGKILL) at the landing zone's crash ``point``, its clock ``days_old`` days behind."""
    env = {**os.environ, "JX_HOME": str(cfg.home), CRASH_POINT_ENV: point}
    result = subprocess.run([sys.executable, "-c", _CRASHED_LANDING, name, dept, str(partition), str(days_old), *days],
                            cwd=REPO_ROOT, env=env, capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr
    assert list(cfg.landing_dir.rglob(".*.pending")), "the crash left files not visible yet behind"


def _project_with_department(tmp_path) -> str:
    """A copy of the dbt project whose department seed also has ZZ-NOPE (the production seed stays as it is)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(warehouse_dbt.DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    with open(project / "seeds" / "ref_departments.csv", "a", encoding="utf-8") as seed:
        seed.write(f"{NEW_DEPT},新设试点局,SCJG,市场监督管理局,ZJ,province,省级\n")
    return project


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Build with the unknown codes held, then again with the department added to the seed."""
    tmp = tmp_path_factory.mktemp("quarantine")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(tmp / "home"))
        cfg = settings()
        events = fixture_events()
        held = _held_events(events[0]["dept_code"])
        land(events + held, cfg)
        dept = events[0]["dept_code"]
        _crash_a_commit(cfg, dept, "crashed", "commit:before-marker", 0, ["2026-02-11"] * 2)
        # committed, its files not renamed yet: the next ingestor rolls it forward two days later
        _crash_a_commit(cfg, dept, "rolled", "commit:after-marker", 1, ["2026-02-11"] * 2, days_old=2)
        # committed, one of its two files renamed: the visible one holds the batch's higher offset
        _crash_a_commit(cfg, dept, "partial", "commit:after-first-rename", 2, ["2026-02-13", "2026-02-12"])
        pipeline.build(cfg, skip=("docs", "reports"))
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            first = {
                "quarantine": con.execute("select source, event_id, reason, detail, copies "
                                          "from marts.fct_quarantined_record order by event_id").fetchall(),
                "tickets": con.execute("select count(*) from staging.stg_hotline_12345__tickets_created "
                                       "where dept_code = ?", [NEW_DEPT]).fetchone()[0],
                "in_marts": _rows_naming(con, NEW_DEPT),
                "status": quarantined_by_reason(cfg),
                "crashed": con.execute("select count(*) from staging.stg_hotline_12345__tickets_created "
                                       "where event_id like '%crashed%'").fetchone()[0],
                "late": _late_rows(con),
            }
        with pytest.MonkeyPatch.context() as unbounded:  # as a dbt run outside a platform build reads
            unbounded.setattr(warehouse_dbt, "landing_read_bounds", lambda candidate: contextlib.nullcontext({}))
            pipeline.build(cfg, skip=("docs", "reports"))
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            first["late_unbounded"] = _late_rows(con)
        for partition in (0, 1, 2):
            LandingZone(cfg).recover("jx.src.hotline_12345.v1", partition)  # what the next ingestor does on assignment
        assert not list(cfg.landing_dir.rglob(".*.pending"))
        patch.setattr(warehouse_dbt, "DBT_DIR", _project_with_department(tmp))
        pipeline.build(cfg, skip=("docs", "reports"))
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            second = {
                "quarantine": con.execute("select event_id, reason from marts.fct_quarantined_record").fetchall(),
                "tickets": con.execute("select count(*) from staging.stg_hotline_12345__tickets_created "
                                       "where dept_code = ?", [NEW_DEPT]).fetchone()[0],
                "closures": con.execute("select tickets_closed from marts.fct_hotline_closure_monthly "
                                        "where dept_code = ?", [NEW_DEPT]).fetchall(),
                "tasks": con.execute("select count(*) from staging.stg_gov_oa__tasks_assigned "
                                     "where task_id = 'T-NOPE'").fetchone()[0],
                "late": _late_rows(con),
            }
        yield first, second


def _late_rows(con) -> dict[str, tuple[int, int]]:
    """Staged rows and distinct events of the batches that became visible late."""
    counts = dict.fromkeys(("rolled", "partial"), (0, 0))
    counts.update({name: (rows, events) for name, rows, events in con.execute(
        "select split_part(event_id, '-', 2), count(*), count(distinct event_id) "
        "from staging.stg_hotline_12345__tickets_created where event_id similar to 'hotline_12345-(rolled|partial)-.*' "
        "group by 1").fetchall()})
    return counts


def _rows_naming(con, code: str) -> dict[str, int]:
    """Rows of every mart table with ``dept_code = code``."""
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.columns where table_schema = 'marts' and column_name = 'dept_code' "
        "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE')"
    ).fetchall()]
    counts = {t: con.execute(f"select count(*) from marts.{t} where dept_code = ?", [code]).fetchone()[0] for t in tables}
    return {t: n for t, n in counts.items() if n and t != "fct_quarantined_record"}


def test_unknown_codes_are_held_not_published_and_the_build_publishes(builds):
    first, _ = builds
    assert [(s, e, r) for s, e, r, _, _ in first["quarantine"]] == [
        ("gov_oa", "gov_oa-held-3", "unknown_department"),
        ("gov_oa", "gov_oa-held-4", "unknown_indicator"),
        ("hotline_12345", "hotline_12345-held-1", "unknown_department"),
        ("hotline_12345", "hotline_12345-held-2", "unknown_department"),
    ]
    details = {e: d for _, e, _, d, _ in first["quarantine"]}
    assert details["gov_oa-held-3"] == f"co_depts = {NEW_DEPT}"
    assert details["gov_oa-held-4"] == "indicator_code = SR_NOT_IN_CATALOGUE"
    assert all(copies == 1 for *_, copies in first["quarantine"])
    assert first["tickets"] == 0 and first["in_marts"] == {}, "held events reach no staging model and no mart"
    assert first["crashed"] == 0, "a build overlapping a crashed commit reads committed rows only"
    assert first["status"] == {("gov_oa", "unknown_department"): 1, ("gov_oa", "unknown_indicator"): 1,
                               ("hotline_12345", "unknown_department"): 2}


def test_held_events_flow_in_once_the_department_exists(builds):
    _, second = builds
    assert second["quarantine"] == [("gov_oa-held-4", "unknown_indicator")], "only the unknown indicator stays held"
    assert second["tickets"] == 1, "released into the incremental staging model although landed before its watermark"
    assert second["closures"] == [(1,)] and second["tasks"] == 1


def test_the_warehouse_checks_every_reference_field_the_contracts_declare():
    import yaml

    from jixiao import contracts

    dbt_vars = yaml.safe_load((warehouse_dbt.DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    declared = {source: {event_type: fields for event_type in contracts.event_types(source)
                         if (fields := contracts.reference_fields(source, event_type))}
                for source in contracts.SOURCES}
    assert dbt_vars["landing_sources"] == list(contracts.SOURCES)
    assert dbt_vars["landing_references"] == {source: types for source, types in declared.items() if types}


def test_batches_visible_late_are_staged_by_the_next_build_once_whatever_their_age(builds):
    """A batch whose ingestor died after committing it, before renaming its files (rolled forward by the next
    ingestor, its ingested_at two days old), and one whose ingestor died between renaming its two files. A platform
    build reads neither (its read bounds stop before a batch not all visible); a dbt run without bounds reads the
    visible half of the second; after the recovery, the next build stages the rest, each event once."""
    first, second = builds
    assert first["late"] == {"rolled": (0, 0), "partial": (0, 0)}
    assert first["late_unbounded"] == {"rolled": (0, 0), "partial": (1, 1)}
    assert second["late"] == {"rolled": (2, 2), "partial": (2, 2)}
