"""Every malformed class lands in the dead-letter store with its reason; landed + dead + duplicates = produced."""
from __future__ import annotations

import orjson
import pytest

from ingest_helpers import HOTLINE, TOPIC, dead_letters, hotline_event, landed_ids, produce
from jixiao.ingestors.consumer import Ingestor
from jixiao.ingestors.landing import LandingZone

pytestmark = pytest.mark.kafka


def _bad(i: int, change) -> bytes:
    event = hotline_event(i)
    change(event)
    return orjson.dumps(event)


MALFORMED = {
    "not_json": [b"{not json", b"", None],
    "not_utf8": ['{"event_id": "市场监管"}'.encode("gbk"), b'{"text": "\xff\xfe"}'],
    "schema_violation": [
        _bad(900_001, lambda e: e.update(schema_version="1")),                       # wrong type
        _bad(900_002, lambda e: e["payload"].update(ticket_id=12345)),               # wrong payload type
        _bad(900_003, lambda e: e.pop("dept_code")),                                 # missing field
        _bad(900_004, lambda e: e["payload"].pop("text")),                           # missing payload field
        orjson.dumps([1, 2, 3]),                                                     # JSON, not an object
    ],
    "oversized": [_bad(900_005, lambda e: e["payload"].update(text="长" * 40_000))],
    "unknown_event_type": [_bad(900_006, lambda e: e.update(event_type="ticket_teleported"))],
    "wrong_source": [_bad(900_007, lambda e: e.update(source="petition"))],
    "bad_timestamp": [_bad(900_008, lambda e: e.update(occurred_at="2026-02-30T08:00:00+08:00"))],
}


def test_each_malformed_class_is_dead_lettered_with_reason_raw_bytes_and_position(fresh_topics):
    cfg = fresh_topics
    good = [orjson.dumps(hotline_event(i)) for i in range(2_000)]
    resent = good[:150] + good[700:750]  # byte-identical re-sends
    bad = [(reason, value) for reason, values in MALFORMED.items() for value in values]
    values = good + [v for _, v in bad] + resent
    produce(cfg, [(b"GD-SZ-D00", v) for v in values], partitions=1)  # one partition: offsets are list indexes

    stats = Ingestor([HOTLINE], "dead", cfg).run(progress=False)

    assert (stats.landed, stats.dead, stats.duplicates) == (2_000, len(bad), len(resent))
    assert stats.landed + stats.dead + stats.duplicates == len(values) == stats.consumed
    dead = dead_letters(cfg).sort_by("kafka_offset").to_pylist()
    assert [(d["reason"], d["raw_value"]) for d in dead] == bad
    for row in dead:
        assert row["kafka_topic"] == TOPIC and row["kafka_partition"] == 0 and row["detail"]
        assert row["raw_value"] == values[row["kafka_offset"]] and row["ingested_at"] is not None
    assert sorted(landed_ids(cfg)) == sorted(orjson.loads(v)["event_id"] for v in good)
    commits = LandingZone(cfg).commits(TOPIC, 0)
    assert sum(c.landed + c.dead + c.duplicates for c in commits) == len(values)
    assert commits[-1].last == len(values) - 1


def test_duplicates_are_recognised_across_a_restart(fresh_topics):
    cfg = fresh_topics
    first = [orjson.dumps(hotline_event(i)) for i in range(500)]
    produce(cfg, [(b"k", v) for v in first], partitions=1)
    Ingestor([HOTLINE], "restart", cfg).run(progress=False)
    produce(cfg, [(b"k", v) for v in first[:100]], partitions=1)
    stats = Ingestor([HOTLINE], "restart", cfg).run(progress=False)
    assert (stats.landed, stats.duplicates) == (0, 100), "the dedup window is rebuilt from the landing zone"
    assert len(landed_ids(cfg)) == 500
