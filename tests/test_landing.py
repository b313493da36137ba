"""Landing-zone bookkeeping: names carry offsets, markers are the commit point, readers see committed files
only, crashes at every step of a commit or a compaction are repaired (kill -9 in a real process)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import pyarrow.dataset as ds
import pytest

from jixiao.ingestors.landing import (CRASH_POINT_ENV, LandingZone, PartitionBatch, file_stem, parse_name,
                                      pending_path)
from jixiao.runtime.config import REPO_ROOT, settings

TOPIC = "jx.src.hotline_12345.v1"


def make_batch(first: int, n: int, partition: int = 0) -> PartitionBatch:
    """``n`` events at offsets first…first+n-1, over two business dates."""
    batch = PartitionBatch(TOPIC, partition, "hotline_12345", first)
    for offset in range(first, first + n):
        batch.last = offset
        batch.business_dates.append("2026-01-0%d" % (1 + offset % 2))
        row = {"event_id": f"hotline_12345-{offset:09d}", "event_type": "ticket_closed",
               "occurred_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "dept_code": "ZJ-SCJG",
               "schema_version": 1, "payload": "{}", "person_keys": [], "kafka_topic": TOPIC,
               "kafka_partition": partition, "kafka_offset": offset, "kafka_timestamp": 0, "content_hash": offset}
        for key, value in row.items():
            batch.landed[key].append(value)
    return batch


def visible_offsets(zone: LandingZone) -> list[int]:
    """What a reader globbing the landing zone sees now (with repeats)."""
    files = [str(p) for p in zone.data_files()]
    return ds.dataset(files, format="parquet").to_table(columns=["kafka_offset"]).column(0).to_pylist() if files else []


def test_file_names_round_trip():
    stem = file_stem(TOPIC, 2, 5, 99)
    assert parse_name(stem + ".parquet") == (TOPIC, 2, 5, 99)
    assert parse_name(f".{stem}.parquet.pending") == (TOPIC, 2, 5, 99)
    assert parse_name("garbage.parquet") is None


def test_commit_then_resume_and_uncommitted_leftovers_are_removed(jx_home):
    zone = LandingZone(settings())
    assert zone.next_offset(TOPIC, 0) == 0
    record = zone.commit(make_batch(0, 10))
    assert record.landed == 10 and zone.next_offset(TOPIC, 0) == 10
    files = sorted(p.name for p in zone.data_files("hotline_12345"))
    assert len(files) == 2, "one file per business date"
    folder = zone.root / "source=hotline_12345" / "dt=2026-01-01"
    orphan = pending_path(folder / (file_stem(TOPIC, 0, 10, 19) + ".parquet"))  # written, never committed
    orphan.write_bytes(b"half")
    legacy = folder / (file_stem(TOPIC, 0, 20, 29) + ".parquet")  # visible past the last marker
    legacy.write_bytes(b"half")
    tmp = folder / f".{file_stem(TOPIC, 0, 10, 19)}.parquet.tmp"  # a write torn by a crash
    tmp.write_bytes(b"half")
    assert zone.recover(TOPIC, 0) == 10
    assert not orphan.exists() and not legacy.exists() and not tmp.exists()
    assert sorted(p.name for p in zone.data_files("hotline_12345")) == files


def test_the_dedup_window_reloads_the_newest_events_oldest_first(jx_home):
    zone = LandingZone(settings())
    for first in range(0, 100, 10):
        zone.commit(make_batch(first, 10))
    recent = zone.recent_events(TOPIC, 0, 25)
    assert [offset for _, _, offset in recent] == list(range(75, 100))
    assert recent[-1] == ("hotline_12345-000000099", 99, 99)


def test_a_stale_owner_is_fenced(jx_home):
    zone = LandingZone(settings())
    zone.commit(make_batch(0, 10))
    assert zone.commit(make_batch(5, 10)) is None, "a batch that does not start at the committed offset is refused"
    assert zone.next_offset(TOPIC, 0) == 10


def _run_killed(code: str, point: str, home) -> None:
    """Run ``code`` in a fresh interpreter that SIGKILLs itself at ``point``; assert it died by SIGKILL."""
    env = {**os.environ, "JX_HOME": str(home), CRASH_POINT_ENV: point}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, timeout=120)
    assert result.returncode == -9, f"expected a kill -9 at {point}, got {result.returncode}: {result.stderr[-2000:]}"


_COMMIT_CODE = f"""
import sys
sys.path.insert(0, {str(REPO_ROOT / 'tests')!r})
from jixiao.ingestors.landing import LandingZone, PartitionBatch
from jixiao.runtime.config import settings
from datetime import datetime, timezone
batch = PartitionBatch({TOPIC!r}, 0, "hotline_12345", 10)
for offset in range(10, 20):
    batch.last = offset
    batch.business_dates.append("2026-01-0%d" % (1 + offset % 2))
    row = dict(event_id=f"hotline_12345-{{offset:09d}}", event_type="ticket_closed",
               occurred_at=datetime(2026, 1, 1, tzinfo=timezone.utc), dept_code="ZJ-SCJG", schema_version=1,
               payload="{{}}", person_keys=[], kafka_topic={TOPIC!r}, kafka_partition=0, kafka_offset=offset,
               kafka_timestamp=0, content_hash=offset)
    for key, value in row.items():
        batch.landed[key].append(value)
LandingZone(settings()).commit(batch)
"""


@pytest.mark.parametrize("point, committed, seen", [
    ("commit:before-marker", False, []),
    ("commit:after-marker", True, []),
    ("commit:after-first-rename", True, list(range(10, 20, 2))),  # the first business date's file of the batch
])
def test_kill_9_during_a_commit_readers_see_committed_rows_only(jx_home, point, committed, seen):
    zone = LandingZone(settings())
    zone.commit(make_batch(0, 10))
    _run_killed(_COMMIT_CODE, point, jx_home)
    # a build reading now sees the first batch only (and what was renamed of a committed batch), and is bounded to
    # the first batch: the crashed batch is not all visible, whether or not it committed
    assert sorted(visible_offsets(zone)) == list(range(10)) + seen
    assert zone.read_bounds() == {(TOPIC, 0): 9}
    assert zone.next_offset(TOPIC, 0) == (20 if committed else 10)
    # recovery deletes an uncommitted batch and rolls a committed one forward
    assert zone.recover(TOPIC, 0) == (20 if committed else 10)
    assert sorted(visible_offsets(zone)) == list(range(20 if committed else 10))
    assert zone.read_bounds() == {(TOPIC, 0): 19 if committed else 9}
    assert not list(zone.root.rglob(".*.pending"))


COMPACTION_POINTS = ["compact:before-marker", "compact:after-marker", "compact:after-first-rename",
                     "compact:after-parts-deleted"]


@pytest.mark.parametrize("point", COMPACTION_POINTS)
def test_kill_9_during_compaction_loses_nothing_and_recovery_finishes_it(jx_home, point):
    cfg = settings()
    zone = LandingZone(cfg)
    for first in range(0, 60, 6):
        zone.commit(make_batch(first, 6))
    zone.commit(make_batch(0, 4, partition=1))
    counts = sum(c.landed for c in zone.commits())
    code = "from jixiao.cli import main; main(['ingest', 'compact', '--sources', 'hotline_12345'])"
    _run_killed(code, point, jx_home)

    # what a reader sees right after the crash: every committed row (a row may show twice, same offset)
    seen = visible_offsets(zone)
    assert set(seen) == set(range(60)) | set(range(4))
    assert zone.read_bounds() == {(TOPIC, 0): 59, (TOPIC, 1): 3}, "a compaction's pending files hide nothing"
    assert sum(c.landed for c in zone.commits()) == counts, "marker counts are never doubled"
    assert zone.next_offset(TOPIC, 0) == 60

    # recovery (on the next assignment, or the next compaction) completes or undoes it
    zone.recover(TOPIC, 0)
    assert Counter(visible_offsets(zone)) == Counter([*range(60), *range(4)])
    assert sum(c.landed for c in zone.commits()) == counts and zone.next_offset(TOPIC, 0) == 60
    result = subprocess.run([sys.executable, "-m", "jixiao.cli", "ingest", "compact"], cwd=REPO_ROOT,
                            env={**os.environ, "JX_HOME": str(jx_home)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(zone.commits(TOPIC, 0)) == 1, "ten batch markers become one"
    assert len(zone.data_files("hotline_12345")) == 4, "one file per business date and partition"
    assert Counter(visible_offsets(zone)) == Counter([*range(60), *range(4)])
    assert zone.commits(TOPIC, 0)[0].landed == 60 and zone.next_offset(TOPIC, 0) == 60
    assert [o for _, _, o in zone.recent_events(TOPIC, 0, 10)] == list(range(50, 60))
