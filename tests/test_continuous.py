"""The landing-zone watermark of continuous mode, and ``jixiao run --follow`` against the real broker: a first wave becomes visible in the published warehouse, a
SIGTERM while the second wave is consumed and a build is running ends the run cleanly (exit 0, the build in
progress published), and after ``jixiao run --once`` every produced event has landed exactly once and the
published staging models and mart count them all."""
from __future__ import annotations

import csv
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import duckdb
import orjson
import pytest
from ingest_helpers import landed_ids
from landing_fixture import land

from jixiao import continuous, contracts
from jixiao.continuous import Follower, committed_since, watermark
from jixiao.expectations.review import decision_log
from jixiao.pipeline import ChecksFailed, Progress
from jixiao.ingestors.landing import LandingZone
from jixiao.runtime import kafka_client
from jixiao.runtime.config import REPO_ROOT, settings

HOTLINE = "hotline_12345"
TOPIC = contracts.topic(HOTLINE)
GROUP = "follow-test"
_START = datetime(2026, 3, 1, 9, tzinfo=timezone(timedelta(hours=8)))


def _departments(n: int = 12) -> list[str]:
    with open(REPO_ROOT / "dbt_project" / "seeds" / "ref_departments.csv", encoding="utf-8") as handle:
        return [row["dept_code"] for row in csv.DictReader(handle)][:n]


def ticket_events(first: int, count: int) -> list[dict]:
    """``count`` tickets created, every other one closed an hour later, for departments of the seed."""
    departments = _departments()
    events = []
    for i in range(first, first + count):
        dept = departments[i % len(departments)]
        created = _START + timedelta(minutes=i)
        envelope = {"source": HOTLINE, "dept_code": dept, "schema_version": 1}
        events.append({**envelope, "event_id": f"{HOTLINE}-follow-created-{i:07d}", "event_type": "ticket_created",
                       "occurred_at": created.isoformat(),
                       "payload": {"ticket_id": f"F{i:07d}", "category": "市政设施", "text": "路灯不亮，请尽快修复",
                                   "assigned_dept": dept}})
        if i % 2 == 0:
            events.append({**envelope, "event_id": f"{HOTLINE}-follow-closed-{i:07d}", "event_type": "ticket_closed",
                           "occurred_at": (created + timedelta(hours=1)).isoformat(),
                           "payload": {"ticket_id": f"F{i:07d}", "resolved": True, "on_time": i % 4 == 0,
                                       "satisfaction": 4}})
    return events


def produce(cfg, events: list[dict], per_second: float | None = None) -> None:
    """Send the events (keyed by department), all at once or paced at about ``per_second``."""
    producer = kafka_client.producer(cfg, linger_ms=20)
    try:
        started = time.monotonic()
        for n, event in enumerate(events):
            producer.send(TOPIC, key=event["dept_code"].encode(), value=orjson.dumps(event))
            if per_second and n % 50 == 49:
                time.sleep(max(0.0, started + (n + 1) / per_second - time.monotonic()))
        producer.flush()
    finally:
        producer.close()


def run_process(cfg, log, *args: str) -> subprocess.Popen:
    env = {**os.environ, "JX_HOME": str(cfg.home), "JX_KAFKA_PORT": str(cfg.kafka_port), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli", "run", "--sources", HOTLINE, "--group", GROUP,
                             "--batch-seconds", "1", *args], cwd=REPO_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def published_counts(cfg) -> tuple[int, int, int, int] | None:
    """(created rows, distinct created ids, closed rows, closures in the mart) of the published warehouse."""
    if not cfg.warehouse_path.exists():
        return None
    try:
        with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
            return con.execute(
                "select (select count(*) from staging.stg_hotline_12345__tickets_created),"
                " (select count(distinct event_id) from staging.stg_hotline_12345__tickets_created),"
                " (select count(*) from staging.stg_hotline_12345__tickets_closed),"
                " (select coalesce(sum(tickets_closed), 0) from marts.fct_hotline_closure_monthly)").fetchone()
    except duckdb.Error:
        return None  # caught between the swap and the read: look again


def wait_for(what: str, condition, timeout: float, process: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"jixiao run exited {process.returncode}:\n{log_path.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"{what} not within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}"
        time.sleep(0.5)


def build_running(cfg) -> bool:
    """True while some process holds the instance's build lock."""
    fd = os.open(cfg.warehouse_dir / ".build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def committed(cfg) -> int:
    return sum(watermark(cfg).values())


def cycles_logged(cfg) -> int:
    """Cycles the follow loop has finished (each is logged after its build released the lock)."""
    log = cfg.home / "continuous" / "cycles.jsonl"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_the_watermark_moves_with_commits_only(jx_home):
    cfg = settings()
    assert watermark(cfg) == {}
    (cfg.landing_dir / "_commits" / TOPIC / "1").mkdir(parents=True)  # assigned, nothing committed yet
    assert watermark(cfg) == {}
    land(ticket_events(0, 10), cfg)  # 10 created, 5 closed
    first = watermark(cfg)
    assert first == {f"{TOPIC}:0": 15}
    land(ticket_events(10, 4), cfg)
    second = watermark(cfg)
    assert committed_since(first, second) == {HOTLINE: 6}
    assert committed_since({}, second) == {HOTLINE: 21}
    assert committed_since(second, second) == {}
    result = LandingZone(cfg).compact(TOPIC, 0)
    assert result.markers_before == 2 and result.markers_after == 1
    assert watermark(cfg) == second, "compaction rewrites files and markers but commits nothing new"


def test_a_failed_build_is_reported_and_keeps_the_last_publish(jx_home, monkeypatch):
    cfg = settings()
    follower = Follower(cfg, [HOTLINE])

    def gate_fails(cfg, progress, select=None):
        with progress.step("checks (gate)"):
            raise ChecksFailed("blocking checks failed on the candidate, nothing published")

    monkeypatch.setattr(continuous, "build", gate_fails)
    cycle = follower._cycle(1, {}, {f"{TOPIC}:0": 7})
    assert (cycle.published, cycle.changed) == (False, {HOTLINE: 7})
    assert cycle.reason.startswith("ChecksFailed: blocking checks failed") and not cycle.lock_held
    assert not (cfg.home / "continuous" / "published.json").exists()

    def reports_fail(cfg, progress, select=None):
        with progress.step("publish"):
            pass
        raise RuntimeError("the report site could not be written")

    monkeypatch.setattr(continuous, "build", reports_fail)
    cycle = follower._cycle(2, {f"{TOPIC}:0": 7}, {f"{TOPIC}:0": 9})
    assert cycle.published and "the report site could not be written" in cycle.reason
    assert json.loads((cfg.home / "continuous" / "published.json").read_text())["watermark"] == {f"{TOPIC}:0": 9}
    logged = [json.loads(line) for line in (cfg.home / "continuous" / "cycles.jsonl").read_text().splitlines()]
    assert [(c["number"], c["published"]) for c in logged] == [(1, False), (2, True)]


def test_after_a_publish_a_cycle_builds_the_sources_that_moved_until_another_input_changes(jx_home, monkeypatch):
    cfg = settings()
    follower = Follower(cfg, [HOTLINE, "finance"])
    selects = []

    def publishes(cfg, progress, select=None):
        selects.append(select)
        with progress.step("publish"):
            pass

    monkeypatch.setattr(continuous, "build", publishes)
    finance = contracts.topic("finance")
    marks = [{f"{TOPIC}:0": 7}, {f"{TOPIC}:0": 9, f"{finance}:1": 3}, {f"{TOPIC}:0": 10, f"{finance}:1": 3},
             {f"{TOPIC}:0": 12, f"{finance}:1": 3}]
    follower._cycle(1, {}, marks[0])
    cycle = follower._cycle(2, marks[0], marks[1])
    assert "build of the changed sources" in cycle.describe()
    decision_log(cfg).parent.mkdir(parents=True, exist_ok=True)
    decision_log(cfg).write_text("{}\n", encoding="utf-8")  # a reviewer decided something: every model may change
    follower._cycle(3, marks[1], marks[2])
    follower._cycle(4, marks[2], marks[3])
    ledger = "source:ledger.verification_result+"
    assert selects == [None, ["source:landing.finance+", f"source:landing.{HOTLINE}+", ledger], None,
                       [f"source:landing.{HOTLINE}+", ledger]]
    logged = [json.loads(line) for line in (cfg.home / "continuous" / "cycles.jsonl").read_text().splitlines()]
    assert [c["select"] is None for c in logged] == [True, False, True, False]


def test_a_restart_builds_only_the_sources_that_moved_while_warehouse_and_inputs_are_as_last_published(
        jx_home, monkeypatch):
    cfg = settings()
    selects = []

    def publishes(cfg, progress, select=None):
        selects.append(select)
        with progress.step("publish"):  # as a publish does: a new file renamed over the warehouse
            cfg.warehouse_dir.mkdir(parents=True, exist_ok=True)
            (cfg.warehouse_dir / "candidate.duckdb").write_bytes(b"built")
            os.replace(cfg.warehouse_dir / "candidate.duckdb", cfg.warehouse_path)

    monkeypatch.setattr(continuous, "build", publishes)
    marks = [{f"{TOPIC}:0": offset} for offset in (7, 9, 11, 13)]
    Follower(cfg, [HOTLINE])._cycle(1, {}, marks[0])
    restarted = Follower(cfg, [HOTLINE])
    assert restarted._resume() == marks[0]
    restarted._cycle(1, marks[0], marks[1])  # nothing but landing files changed: the sources that moved
    publishes(cfg, Progress())  # another build (`jixiao build`) publishes meanwhile
    after_another = Follower(cfg, [HOTLINE])
    assert after_another._resume() == marks[1]
    after_another._cycle(1, marks[1], marks[2])  # the warehouse is not the one this mode published: in full
    monkeypatch.setattr(continuous, "tree_digest", lambda *args: "the next release")
    upgraded = Follower(cfg, [HOTLINE])
    assert upgraded._resume() == marks[2]
    upgraded._cycle(1, marks[2], marks[3])  # the platform's code changed: in full
    assert selects == [None, continuous.selection({HOTLINE: 2}), None, None, None]


def test_a_build_of_the_changed_sources_publishes_their_events_and_leaves_the_other_sources_alone(jx_home):
    cfg = settings()
    follower = Follower(cfg, [HOTLINE])
    land(ticket_events(0, 10), cfg)  # 10 created, 5 closed
    first = watermark(cfg)
    assert follower._cycle(1, {}, first).published
    land(ticket_events(10, 4), cfg)  # 4 created, 2 closed
    cycle = follower._cycle(2, first, watermark(cfg))
    assert cycle.published and cycle.select == continuous.selection({HOTLINE: 6}), cycle.reason
    assert published_counts(cfg) == (14, 14, 7, 7)
    ran = {r["unique_id"] for r in json.loads((cfg.home / "dbt" / "target" / "run_results.json").read_text())["results"]}
    assert "model.jixiao.stg_hotline_12345__tickets_created" in ran and "model.jixiao.fct_indicator_value" in ran
    assert not [node for node in ran if "finance" in node or "procurement" in node], "other sources' models ran"


@pytest.mark.kafka
@pytest.mark.timeout(420)
def test_sigterm_during_follow_loses_and_duplicates_nothing(fresh_topics, tmp_path):
    cfg = fresh_topics
    kafka_client.ensure_topics([TOPIC], 3, cfg)
    first, second = ticket_events(0, 400), ticket_events(400, 2_400)
    produce(cfg, first)
    first_created = sum(e["event_type"] == "ticket_created" for e in first)
    first_closed = len(first) - first_created

    log_path = tmp_path / "follow.log"
    with open(log_path, "wb") as log:
        follow = run_process(cfg, log, "--follow", "--interval", "2")
        try:
            wait_for("the first wave in the published warehouse",
                     lambda: published_counts(cfg) == (first_created, first_created, first_closed, first_closed),
                     240, follow, log_path)
            producer = threading.Thread(target=produce, args=(cfg, second, 300.0))
            producer.start()
            # the first cycle logged, then the lock held: a later cycle is building (not the first one's last step)
            wait_for("a build of part of the second wave",
                     lambda: committed(cfg) > len(first) and cycles_logged(cfg) >= 1 and build_running(cfg),
                     120, follow, log_path)
            assert producer.is_alive(), "the stop signal must come while the second wave is still being produced"
            signalled = time.time()
            follow.send_signal(signal.SIGTERM)
            follow.wait(timeout=180)
            producer.join()
        finally:
            if follow.poll() is None:
                follow.kill()
    output = log_path.read_text()
    assert follow.returncode == 0, output[-3000:]
    assert "ended after a stop signal" in output and "ingestor exit code 0" in output
    cycles = [json.loads(line) for line in (cfg.home / "continuous" / "cycles.jsonl").read_text().splitlines()]
    in_progress = [c for c in cycles if c["started_at"] < signalled < c["started_at"] + c["seconds"]]
    assert len(in_progress) == 1 and in_progress[0]["published"], "the build running at SIGTERM finished and published"
    assert cycles[-1] == in_progress[0], "no build started after SIGTERM"
    assert committed(cfg) < len(first) + len(second), "some of the second wave was left in Kafka for the restart"

    with open(tmp_path / "once.log", "wb") as log:
        once = run_process(cfg, log, "--once")
        once.wait(timeout=300)
    assert once.returncode == 0, (tmp_path / "once.log").read_text()[-3000:]

    produced = [e["event_id"] for e in first + second]
    landed = Counter(landed_ids(cfg))
    assert sorted(landed) == sorted(produced), "every produced event landed"
    assert [i for i, n in landed.items() if n > 1] == [], "no event landed twice"
    commits = LandingZone(cfg).commits()
    assert sum(r.duplicates for r in commits) == 0 and sum(r.dead for r in commits) == 0, \
        "nothing was consumed twice (not even a re-delivery caught by the dedup window)"
    created = sum(e["event_type"] == "ticket_created" for e in first + second)
    closed = len(produced) - created
    assert published_counts(cfg) == (created, created, closed, closed)
