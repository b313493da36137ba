"""Through the real pipeline: hostile text produced to the real broker, ingested, built, rendered — it shows as
text; analysts read marts with SQLAlchemy (duckdb_engine, as Superset does) while builds swap the file."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import duckdb
import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from rich.console import Console
from sqlalchemy.pool import NullPool
from topics import fresh_platform

from jixiao import contracts
from jixiao.cli import main
from jixiao.ingestors.consumer import ingest
from jixiao.pipeline import Progress, build
from jixiao.reports.access import sqlalchemy_url
from jixiao.reports.browser import chromium
from jixiao.runtime import kafka_client
from jixiao.simulator.run import simulate
from jixiao.simulator.sinks import KafkaSink

pytestmark = pytest.mark.kafka

HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">路灯不亮'
WHEN = "2026-02-20T10:00:00+08:00"


class KeySink(KafkaSink):
    """Produces to Kafka and remembers the departments the hotline spoke about."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.hotline_depts: set[str] = set()

    def write_many(self, sources, keys, values, instants=None):
        self.hotline_depts |= {k.decode() for s, k in zip(sources, keys) if s == "hotline_12345"}
        super().write_many(sources, keys, values, instants)


def envelope(source: str, event_type: str, event_id: str, dept: str, payload: dict) -> dict:
    return {"event_id": event_id, "source": source, "event_type": event_type, "occurred_at": WHEN,
            "dept_code": dept, "schema_version": 1, "payload": payload}


@pytest.fixture(scope="module")
def hostile_platform(kafka_broker, tmp_path_factory):
    """Two simulated months plus a hostile 12345 ticket (unresolved, late, rated 1) and a hostile post, both
    produced through the real broker, ingested and built with the real pipeline (reports step included)."""
    with fresh_platform(tmp_path_factory, "hostile") as cfg:
        sink = KeySink(cfg)
        simulate(sink, scale="XS", seed=3, start="2026-01", months=2, truth_path=None, progress=False)
        dept = sorted(sink.hotline_depts)[0]
        events = [envelope("hotline_12345", "ticket_created", "hotline_12345-hostile-1", dept,
                           {"ticket_id": "T-HOSTILE-1", "category": "市政设施", "text": HOSTILE,
                            "assigned_dept": dept}),
                  envelope("hotline_12345", "ticket_closed", "hotline_12345-hostile-2", dept,
                           {"ticket_id": "T-HOSTILE-1", "resolved": False, "on_time": False, "satisfaction": 1}),
                  envelope("public_opinion", "post", "public_opinion-hostile-1", dept,
                           {"post_id": "P-HOSTILE-1", "platform": "微博", "text": HOSTILE, "reposts": 999999})]
        producer = kafka_client.producer(cfg)
        for event in events:
            producer.send(contracts.topic(event["source"]), key=dept.encode(), value=orjson.dumps(event))
        producer.flush()
        producer.close()
        ingest(list(contracts.SOURCES), group="reports-hostile", cfg=cfg, progress=False)
        summary = build(cfg, progress=Progress(Console(file=io.StringIO())))
    return cfg, dept, summary


def test_hostile_ticket_and_post_render_as_text(hostile_platform):
    cfg, dept, summary = hostile_platform
    assert summary.steps["reports"]["periods"] == ["2026-02"]
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        rows = con.execute("select source, signal from marts.fct_citizen_voice where text = ? order by source",
                           [HOSTILE]).fetchall()
    assert rows == [("hotline_12345", "未解决"), ("public_opinion", "转发 999999 次")]
    page = cfg.reports_dir / "2026-02" / f"{dept}.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&#34;window.__xss=2&#34;&gt;") == 2
    assert "<script>window" not in html and "<img src=x" not in html
    with chromium() as browser:
        page_view = browser.new_page()
        dialogs = []
        page_view.on("dialog", lambda d: dialogs.append(d.message))
        page_view.goto(page.as_uri())
        assert page_view.evaluate("typeof window.__xss") == "undefined"
        assert page_view.locator("#voice img").count() == 0
        assert page_view.locator("#voice").inner_text().count('<script>window.__xss=1</script>') == 2
    assert dialogs == []


REPUBLISH = """
import sys
from jixiao.runtime.config import settings
from jixiao.warehouse import build_lock

for _ in range(int(sys.argv[1])):
    with build_lock(settings()) as candidate:
        candidate.start()     # copy the published file into a new candidate
        candidate.publish()   # checkpoint, export the marts, swap it in (os.replace)
"""


def test_sqlalchemy_reads_a_mart_while_builds_swap_the_file(hostile_platform):
    """The build's publish step (candidate copy → checkpoint → Parquet export → atomic rename), run five times
    in another process, while SQLAlchemy reads the published file on a new connection each time."""
    cfg, _, _ = hostile_platform
    engine = sa.create_engine(sqlalchemy_url(cfg), poolclass=NullPool)
    with engine.connect() as connection:
        expected = connection.execute(sa.text("select count(*) from marts.fct_dept_score")).scalar_one()
    builds = subprocess.Popen([sys.executable, "-c", REPUBLISH, "5"], env={**os.environ, "JX_HOME": str(cfg.home)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reads, errors, swaps, inode = 0, [], 0, os.stat(cfg.warehouse_path).st_ino
    deadline = time.monotonic() + 300
    while builds.poll() is None and time.monotonic() < deadline:
        try:
            current = os.stat(cfg.warehouse_path).st_ino
            swaps, inode = swaps + (current != inode), current
            with engine.connect() as connection:
                assert connection.execute(sa.text("select count(*) from marts.fct_dept_score")).scalar_one() == expected
            reads += 1
        except Exception as error:  # noqa: BLE001 - every failed read is what this test counts
            errors.append(repr(error))
    output = builds.communicate(timeout=300)[0]
    assert builds.returncode == 0, output[-2000:]
    assert errors == []
    assert reads >= 20 and swaps >= 3  # reads went on across several swaps


def test_jixiao_sql_reads_and_refuses_to_write(hostile_platform):
    cfg, dept, _ = hostile_platform
    env = {"JX_HOME": str(cfg.home)}
    runner = CliRunner()
    result = runner.invoke(main, ["sql", "--csv", f"select count(*) as n from marts.dim_department "
                                                  f"where dept_code = '{dept}'"], env=env)
    assert result.exit_code == 0 and result.output.splitlines() == ["n", "1"]
    result = runner.invoke(main, ["sql", "create table marts.x as select 1"], env=env)
    assert result.exit_code == 1 and "read-only" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["sql", "--url"], env=env)
    assert f"duckdb:///{cfg.warehouse_path}?access_mode=read_only" in result.output
    parquet = cfg.marts_dir / "fct_citizen_voice.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select count(*) from '{parquet}' where text = ?", [HOSTILE]).fetchone()[0] == 2
