"""Every malformed class lands in the dead-letter store with its reason; landed + dead + duplicates = produced.
Re-sends: same content is a duplicate, different content a conflicting duplicate — also after a restart."""
from __future__ import annotations

import json

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
    "future_timestamp": [_bad(900_009, lambda e: e.update(occurred_at="2099-01-01T08:00:00+08:00")),
                         _bad(900_010, lambda e: e.update(occurred_at="2099-01-01T00:00:00Z"))],
    "duplicate_key": [
        _bad(900_011, lambda e: None).replace(b'"dept_code":"GD-SZ-D11"', b'"dept_code":"GD-SZ-D11","dept_code":"ZZ-X"'),
        _bad(900_012, lambda e: None).replace(b'"category":', b'"text" : "second text", "category":'),
    ],
}


def _same_content_reformatted(i: int) -> bytes:
    """The event of ``hotline_event(i)`` with another key order and white space: a plain duplicate."""
    event = hotline_event(i)
    return json.dumps(dict(reversed(list(event.items()))), ensure_ascii=False, indent=1).encode()


def _changed(i: int) -> bytes:
    """The event of ``hotline_event(i)`` with another text: a conflicting duplicate."""
    return _bad(i, lambda e: e["payload"].update(text="更正：路灯已修复"))


def test_each_malformed_class_is_dead_lettered_with_reason_raw_bytes_and_position(fresh_topics):
    cfg = fresh_topics
    good = [orjson.dumps(hotline_event(i)) for i in range(2_000)]
    resent = good[:150] + good[700:750] + [_same_content_reformatted(i) for i in (3, 4, 5)]
    bad = [(reason, value) for reason, values in MALFORMED.items() for value in values]
    conflicting = [("conflicting_duplicate", _changed(i)) for i in (7, 8)]
    values = good + [v for _, v in bad] + resent + [v for _, v in conflicting]
    produce(cfg, [(b"GD-SZ-D00", v) for v in values], partitions=1)  # one partition: offsets are list indexes

    stats = Ingestor([HOTLINE], "dead", cfg).run(progress=False)

    assert (stats.landed, stats.dead, stats.duplicates) == (2_000, len(bad) + 2, len(resent))
    assert stats.landed + stats.dead + stats.duplicates == len(values) == stats.consumed
    dead = dead_letters(cfg).sort_by("kafka_offset").to_pylist()
    assert [(d["reason"], d["raw_value"]) for d in dead] == bad + conflicting
    assert "offset 7 " in dead[-2]["detail"] and f"offset {len(values) - 2}" in dead[-2]["detail"], \
        "a conflicting duplicate names where the first version landed and its own offset"
    for row in dead:
        assert row["kafka_topic"] == TOPIC and row["kafka_partition"] == 0 and row["detail"]
        assert row["raw_value"] == values[row["kafka_offset"]] and row["ingested_at"] is not None
    assert sorted(landed_ids(cfg)) == sorted(orjson.loads(v)["event_id"] for v in good)
    commits = LandingZone(cfg).commits(TOPIC, 0)
    assert sum(c.landed + c.dead + c.duplicates for c in commits) == len(values)
    assert commits[-1].last == len(values) - 1


def test_the_newest_events_are_recognised_across_a_restart(fresh_topics):
    """Land 5,000 events with a window of 1,000, restart, re-send the last 300: nothing lands twice, and a changed
    re-send is still told apart (the window carries content hashes through the restart)."""
    cfg = fresh_topics
    first = [orjson.dumps(hotline_event(i)) for i in range(5_000)]
    produce(cfg, [(b"k", v) for v in first], partitions=1)
    stats = Ingestor([HOTLINE], "restart", cfg, dedup_window=1_000).run(progress=False)
    assert stats.landed == 5_000
    produce(cfg, [(b"k", v) for v in first[-300:]] + [(b"k", _changed(4_990))], partitions=1)
    stats = Ingestor([HOTLINE], "restart", cfg, dedup_window=1_000).run(progress=False)
    assert (stats.landed, stats.duplicates, stats.per_reason) == (0, 300, {"conflicting_duplicate": 1}), \
        "the dedup window is rebuilt from the newest landed events"
    assert len(landed_ids(cfg)) == 5_000
