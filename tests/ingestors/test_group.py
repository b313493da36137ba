"""Two ingestor processes in one group land every event exactly once, also across a mid-stream rebalance."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from kafka import KafkaAdminClient

from ingest_helpers import TOPIC, finish, ingest_process, landed_ids, produce_hotline
from jixiao.ingestors.landing import LandingZone
from jixiao.runtime.kafka_client import ensure_topics

pytestmark = pytest.mark.kafka


def _landed(output: str) -> int:
    """The landed count a member printed (``consumed … · landed N · …``)."""
    match = re.search(r"landed ([\d,]+)", output)
    assert match, output
    return int(match.group(1).replace(",", ""))


def _assert_exactly_once(cfg, produced):
    ids = landed_ids(cfg)
    assert not [i for i, n in Counter(ids).items() if n > 1], "an event landed twice"
    assert set(ids) == produced


def _wait_for_a_stable_group(cfg, group: str, members: int, timeout: float = 90) -> None:
    """Block until the broker reports ``group`` Stable with ``members`` members (each then owns partitions)."""
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described = admin.describe_groups([group])[group]
            if described.get("group_state") == "Stable" and len(described.get("members") or []) == members:
                return
            time.sleep(0.5)
        raise AssertionError(f"group {group} never became Stable with {members} members: {described}")
    finally:
        admin.close()


def _wait_until_landed(cfg, produced: set[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while set(landed_ids(cfg)) != produced:
        assert time.monotonic() < deadline, f"{len(set(landed_ids(cfg)))} of {len(produced)} landed in {timeout:.0f}s"
        time.sleep(1.0)


def test_two_members_share_the_partitions_and_land_everything_once(fresh_topics):
    cfg = fresh_topics
    ensure_topics([TOPIC], 4, cfg)
    members = [ingest_process(cfg, "pair", "--follow"), ingest_process(cfg, "pair", "--follow")]
    _wait_for_a_stable_group(cfg, "pair", 2)  # both joined before any event exists: neither can take it all
    produced = produce_hotline(cfg, 60_000, partitions=4)
    _wait_until_landed(cfg, produced)
    for member in members:
        member.terminate()  # SIGTERM: the member lands what it holds, prints its counts and leaves
    outputs = [finish(m) for m in members]
    _assert_exactly_once(cfg, produced)
    shares = [_landed(out) for out in outputs]
    assert sum(shares) == len(produced)
    assert all(share > 0 for share in shares), f"each member must land a share of the partitions: {shares}"
    writers = Counter(c.partition for c in LandingZone(cfg).commits())
    assert set(writers) == {0, 1, 2, 3}


def test_a_member_joining_and_leaving_mid_replay_loses_nothing(fresh_topics):
    cfg = fresh_topics
    produced = produce_hotline(cfg, 150_000, partitions=4)
    first = ingest_process(cfg, "rebalance")
    time.sleep(2.0)
    second = ingest_process(cfg, "rebalance", "--follow")  # joins mid-replay …
    time.sleep(3.0)
    second.terminate()  # … and leaves mid-replay (SIGTERM: it lands its batches and leaves the group)
    second.wait(timeout=60)
    assert first.poll() is None, "the replay ended before the rebalance: make it longer"
    finish(first)
    _assert_exactly_once(cfg, produced)


def test_a_member_without_partitions_exits_once_the_group_caught_up(fresh_topics):
    cfg = fresh_topics
    ensure_topics(["jx.src.hotline_12345.v1"], 1, cfg)
    produced = produce_hotline(cfg, 5_000, partitions=1)
    members = [ingest_process(cfg, "idle"), ingest_process(cfg, "idle")]
    for member in members:
        finish(member, timeout=90)
    _assert_exactly_once(cfg, produced)
