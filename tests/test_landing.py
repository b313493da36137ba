"""Landing-zone bookkeeping: names carry offsets, commits are the truth, crash leftovers are removed."""
from __future__ import annotations

from datetime import datetime, timezone

from jixiao.ingestors.landing import LandingZone, PartitionBatch, file_stem, parse_name
from jixiao.runtime.config import settings

TOPIC = "jx.src.hotline_12345.v1"


def _batch(first: int, n: int) -> PartitionBatch:
    batch = PartitionBatch(TOPIC, 0, "hotline_12345", first)
    for offset in range(first, first + n):
        batch.last = offset
        batch.business_dates.append("2026-01-0%d" % (1 + offset % 2))
        row = {"event_id": f"hotline_12345-{offset:09d}", "event_type": "ticket_closed",
               "occurred_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "dept_code": "ZJ-SCJG",
               "schema_version": 1, "payload": "{}", "person_keys": [], "kafka_topic": TOPIC,
               "kafka_partition": 0, "kafka_offset": offset, "kafka_timestamp": 0}
        for key, value in row.items():
            batch.landed[key].append(value)
    return batch


def test_file_names_round_trip():
    stem = file_stem(TOPIC, 2, 5, 99)
    assert parse_name(stem + ".parquet") == (TOPIC, 2, 5, 99)
    assert parse_name("garbage.parquet") is None


def test_commit_then_resume_and_orphan_cleanup(jx_home):
    zone = LandingZone(settings())
    assert zone.next_offset(TOPIC, 0) == 0
    record = zone.commit(_batch(0, 10))
    assert record.landed == 10 and zone.next_offset(TOPIC, 0) == 10
    files = sorted(p.name for p in zone.root.glob("source=hotline_12345/dt=*/*.parquet"))
    assert len(files) == 2, "one file per business date"
    # a crash after writing data files but before the commit marker leaves orphans …
    orphan_dir = zone.root / "source=hotline_12345" / "dt=2026-01-01"
    orphan = orphan_dir / (file_stem(TOPIC, 0, 10, 19) + ".parquet")
    orphan.write_bytes(b"half")
    tmp = orphan_dir / ".partial.parquet.tmp"
    tmp.write_bytes(b"half")
    # … which recovery deletes before consuming again from the committed offset
    assert zone.recover(TOPIC, 0) == 10
    assert not orphan.exists()
    assert sorted(p.name for p in zone.root.glob("source=hotline_12345/dt=*/*.parquet")) == files
    assert set(zone.recent_event_ids(TOPIC, 0, 100)) == {f"hotline_12345-{i:09d}" for i in range(10)}


def test_a_stale_owner_is_fenced(jx_home):
    zone = LandingZone(settings())
    zone.commit(_batch(0, 10))
    assert zone.commit(_batch(5, 10)) is None, "a batch that does not start at the committed offset is refused"
    assert zone.next_offset(TOPIC, 0) == 10
