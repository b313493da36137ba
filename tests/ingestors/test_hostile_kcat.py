"""A hostile, hand-made message set produced with Debian's ``kcat`` (a Kafka client the project did not write)
through the real broker, landed, built and published: every message is accounted for
(landed + quarantined + dead + duplicate = produced), the published warehouse is updated, personal data masked.

kcat's default partitioner (librdkafka consistent_random, CRC32) differs from kafka-python's murmur2, so the same
key can land in another partition; every message here names its partition (``-p``) and each re-send goes to the
partition of its original, where the per-partition dedup window sees it.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import duckdb
import orjson
import pytest

from jixiao import contracts, pipeline
from jixiao.ingestors.consumer import Ingestor
from jixiao.runtime import kafka_client
from jixiao.runtime.config import REPO_ROOT
from ingest_helpers import dead_letters

pytestmark = pytest.mark.kafka

HOTLINE = "hotline_12345"
TOPIC = contracts.topic(HOTLINE)
KCAT = shutil.which("kcat")


def _departments() -> list[str]:
    with open(REPO_ROOT / "dbt_project" / "seeds" / "ref_departments.csv", encoding="utf-8") as handle:
        return [row["dept_code"] for row in csv.DictReader(handle)][:2]


def _event(n: int, dept: str, event_type: str, payload: dict, occurred: str = "2026-03-0{d}T09:30:00+08:00") -> dict:
    return {"event_id": f"hotline_12345-kcat-{n:03d}", "source": HOTLINE, "event_type": event_type,
            "occurred_at": occurred.format(d=1 + n % 9), "dept_code": dept, "schema_version": 1, "payload": payload}


def _created(n: int, dept: str, text: str) -> dict:
    return _event(n, dept, "ticket_created", {"ticket_id": f"KC{n:03d}", "category": "咨询", "text": text,
                                              "assigned_dept": dept})


def _closed(n: int, dept: str, ticket: int) -> dict:
    return _event(n, dept, "ticket_closed", {"ticket_id": f"KC{ticket:03d}", "resolved": True, "on_time": n % 2 == 0,
                                             "satisfaction": 4})


def hostile_set(a: str, b: str) -> list[tuple[int, bytes, str]]:
    """(partition, raw value, expected outcome) — outcome: landed | quarantined | duplicate | <dead-letter reason>."""
    texts = [
        "市民张伟来电反映文三路路灯不亮，联系电话13989290341，身份证号11010519491231002X。",
        "<script>alert('投诉')</script>市民李娜称<img src=x onerror=alert(1)>小区电梯故障",
        "'; DROP TABLE marts.dim_department; -- 信访人王建国反映：退款请打入银行卡6222021234567890128",
        "我是欧阳明月，座机0571-87654321，邮箱ouyang@example.cn，请回电",
    ]
    good = [_created(i, a if i % 2 else b, text) for i, text in enumerate(texts, start=1)]
    good += [_closed(10 + i, a if i % 2 else b, i) for i in range(1, 5)]
    unknown = [_created(20, "ZZ-NOPE", "某新设机构的工单"), _closed(21, "ZZ-NOPE", 20)]
    messages = [(i % 3, orjson.dumps(e), "landed") for i, e in enumerate(good)]
    messages += [(0, orjson.dumps(e), "quarantined") for e in unknown]
    first = messages[0]
    reformatted = json.dumps(dict(reversed(list(good[0].items()))), ensure_ascii=False, indent=2).encode()
    changed = orjson.dumps({**good[0], "payload": {**good[0]["payload"], "category": "更正"}})
    messages += [(first[0], first[1], "duplicate"), (first[0], reformatted, "duplicate"),
                 (first[0], changed, "conflicting_duplicate")]
    bad = _created(30, a, "正常文本")
    raw = orjson.dumps(bad)
    messages += [
        (1, b"{not json at all", "not_json"),
        (1, json.dumps({**bad, "event_id": "hotline_12345-kcat-031"}, ensure_ascii=False).encode("gbk"), "not_utf8"),
        (1, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-032", "payload": {"ticket_id": 1}}), "schema_violation"),
        (1, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-033", "event_type": "ticket_teleported"}),
         "unknown_event_type"),
        (2, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-034", "source": "petition"}), "wrong_source"),
        (2, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-035", "occurred_at": "2026-02-30T08:00:00+08:00"}),
         "bad_timestamp"),
        (2, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-036", "occurred_at": "2099-01-01T08:00:00+08:00"}),
         "future_timestamp"),
        (2, raw.replace(b'"dept_code":', b'"dept_code":"ZZ-HIDDEN","dept_code":'), "duplicate_key"),
        (0, orjson.dumps({**bad, "event_id": "hotline_12345-kcat-037",
                          "payload": {**bad["payload"], "text": "长" * 30_000}}), "oversized"),
    ]
    return messages


@pytest.mark.skipif(KCAT is None, reason="kcat is missing: `make setup` installs it (apt-get install kcat)")
def test_a_hostile_kcat_set_is_accounted_for_published_and_masked(fresh_topics, tmp_path):
    cfg = fresh_topics
    kafka_client.ensure_topics([TOPIC], 3, cfg)
    a, b = _departments()
    messages = hostile_set(a, b)
    for i, (partition, value, _) in enumerate(messages):
        path = tmp_path / f"message-{i:03d}"
        path.write_bytes(value)
        subprocess.run([KCAT, "-P", "-b", cfg.bootstrap_servers, "-t", TOPIC, "-p", str(partition), "-k", a,
                        str(path)], check=True, timeout=60, capture_output=True)

    stats = Ingestor([HOTLINE], "kcat", cfg).run(progress=False)
    pipeline.build(cfg, skip=("docs",))

    expected = [outcome for _, _, outcome in messages]
    dead_expected = sorted(o for o in expected if o not in ("landed", "quarantined", "duplicate"))
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        quarantined = con.execute("select count(*) from marts.fct_quarantined_record").fetchone()[0]
        texts = [t for (t,) in con.execute("select ticket_text from staging.stg_hotline_12345__tickets_created")
                 .fetchall()]
        closures = con.execute("select sum(tickets_closed) from marts.fct_hotline_closure_monthly").fetchone()[0]
    dead = sorted(dead_letters(cfg).column("reason").to_pylist())
    assert stats.consumed == len(messages)
    assert (stats.landed - quarantined) + quarantined + stats.dead + stats.duplicates == len(messages)
    assert (stats.landed - quarantined, quarantined, stats.duplicates) == (
        expected.count("landed"), expected.count("quarantined"), expected.count("duplicate"))
    assert dead == dead_expected
    assert closures == 4 and len(texts) == 4, "the published marts carry the kcat events of known departments"
    leaks = ["张伟", "李娜", "王建国", "欧阳明月", "13989290341", "11010519491231002X", "6222021234567890128",
             "87654321", "ouyang@example.cn"]
    assert not [s for s in leaks for t in texts if s in t], texts
    assert any("<script>alert('投诉')</script>" in t for t in texts), "markup is data: kept as text, escaped on output"
    assert any("DROP TABLE" in t for t in texts)
    status = subprocess.run([sys.executable, "-m", "jixiao.cli", "ingest", "status", "--sources", HOTLINE],
                            cwd=REPO_ROOT, env={**os.environ, "JX_HOME": str(cfg.home),
                                                "JX_KAFKA_PORT": str(cfg.kafka_port), "COLUMNS": "200"},
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert "quarantined" in status.stdout and "unknown_department" in status.stdout
    assert "conflicting_duplicate" in status.stdout and "future_timestamp" in status.stdout
