"""kill -9 the ingestor at random moments during a 200k-event replay: the landed set equals the produced set."""
from __future__ import annotations

import random
import signal
import time
from collections import Counter

import pytest

from ingest_helpers import finish, ingest_process, landed_ids, produce_hotline
from jixiao.ingestors.landing import LandingZone

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 400_000  # ≥ 200k, more than ten kill cycles land
KILLS = 10
SMALL_BATCHES = ("--batch-records", "2000", "--batch-seconds", "1")  # many commits: many moments to die in


def _landed_offset(zone: LandingZone) -> int:
    return sum(zone.next_offset("jx.src.hotline_12345.v1", p) for p in range(3))


def test_kill_9_at_random_moments_loses_and_doubles_nothing(fresh_topics):
    cfg = fresh_topics
    produced = produce_hotline(cfg, EVENTS)
    rng = random.Random(20260301)
    zone = LandingZone(cfg)
    started = time.monotonic()
    progress = []
    for kill in range(KILLS):
        before = _landed_offset(zone)
        member = ingest_process(cfg, "crash", "--instance-id", "crash-member", *SMALL_BATCHES)
        deadline = time.monotonic() + 120
        while _landed_offset(zone) == before:  # kill while landing, not during start-up
            assert member.poll() is None and time.monotonic() < deadline, "the ingestor landed nothing"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.15))  # a member lands ≈ 10k events in 0.15 s
        assert member.poll() is None, f"the ingestor finished before kill {kill + 1}: the replay is too short"
        member.send_signal(signal.SIGKILL)
        member.wait()
        progress.append(_landed_offset(zone))
    finish(ingest_process(cfg, "crash", "--instance-id", "crash-member"))
    seconds = time.monotonic() - started

    ids = landed_ids(cfg)
    doubled = [event_id for event_id, n in Counter(ids).items() if n > 1]
    assert not doubled, f"{len(doubled)} events landed twice, e.g. {doubled[:3]}"
    assert set(ids) == produced, f"{len(produced - set(ids))} produced events never landed"
    assert len(ids) == EVENTS
    assert progress[-1] < EVENTS, "every kill must hit the replay before it finished"
    assert not list(cfg.landing_dir.rglob("*.tmp")), "no temporary file is left visible"
    print(f"\ncrash test: {EVENTS:,} events, {KILLS} kill -9 at landed offsets {progress}, {seconds:.1f}s")
