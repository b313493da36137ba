"""Two ingestor processes in one group land every event exactly once, also across a mid-stream rebalance."""
from __future__ import annotations

import re
import threading
import time
from collections import Counter

import orjson
import pytest

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from ingest_helpers import TOPIC, finish, hotline_event, ingest_process, landed_ids, produce_hotline
from jixiao.ingestors.consumer import Ingestor
from jixiao.ingestors.landing import LandingZone
from jixiao.runtime import kafka_client
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


def _wait_for_stable_group(cfg, group: str, members: int, timeout: float = 90) -> None:
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = admin.describe_groups([group])[group]
            except KafkaError as error:  # e.g. no coordinator yet on a fresh broker
                state = {"group_state": repr(error), "members": []}
            if state["group_state"] == "Stable" and len(state["members"]) == members:
                return
            assert time.monotonic() < deadline, f"group {group} never had {members} stable members: {state}"
            time.sleep(0.2)
    finally:
        admin.close()


def test_two_members_share_the_partitions_and_land_everything_once(fresh_topics):
    """Both members join first (a member lands 60k events in under a second, faster than the other starts), then
    the events are produced: each member lands its partitions' share, and leaves on SIGTERM."""
    cfg = fresh_topics
    ensure_topics(["jx.src.hotline_12345.v1"], 4, cfg)
    members = [ingest_process(cfg, "pair", "--follow"), ingest_process(cfg, "pair", "--follow")]
    _wait_for_stable_group(cfg, "pair", 2)
    produced = produce_hotline(cfg, 60_000, partitions=4)
    zone = LandingZone(cfg)
    deadline = time.monotonic() + 120
    while sum(zone.next_offset("jx.src.hotline_12345.v1", p) for p in range(4)) < len(produced):
        assert time.monotonic() < deadline, "the members did not land every event"
        time.sleep(0.2)
    for member in members:
        member.terminate()
    outputs = [finish(m) for m in members]
    _assert_exactly_once(cfg, produced)
    shares = [_landed(out) for out in outputs]
    assert sum(shares) == len(produced)
    assert all(share > 0 for share in shares), f"each member must land a share of the partitions: {shares}"
    writers = Counter(c.partition for c in LandingZone(cfg).commits())
    assert set(writers) == {0, 1, 2, 3}


def _wait_until_landed(cfg, produced: set[str], partitions: int, timeout: float = 120) -> None:
    zone = LandingZone(cfg)
    deadline = time.monotonic() + timeout
    while sum(zone.next_offset(TOPIC, p) for p in range(partitions)) < len(produced):
        assert time.monotonic() < deadline, "the members did not land every event"
        time.sleep(0.2)


def test_a_member_joining_and_leaving_mid_stream_loses_nothing(fresh_topics):
    """A second member joins and leaves (SIGTERM) while events are still being produced; the first member
    keeps going through both rebalances. Nothing is lost or landed twice."""
    cfg = fresh_topics
    ensure_topics([TOPIC], 4, cfg)
    first = ingest_process(cfg, "rebalance", "--follow")
    _wait_for_stable_group(cfg, "rebalance", 1)
    events = [hotline_event(i) for i in range(160_000)]

    def produce_paced() -> None:  # about 20 s of stream, whatever the ingest speed
        producer = kafka_client.producer(cfg, linger_ms=20)
        try:
            for start in range(0, len(events), 4_000):
                for event in events[start:start + 4_000]:
                    producer.send(TOPIC, key=event["dept_code"].encode(), value=orjson.dumps(event))
                producer.flush()
                time.sleep(0.5)
        finally:
            producer.close()

    stream = threading.Thread(target=produce_paced)
    stream.start()
    second = ingest_process(cfg, "rebalance", "--follow")
    _wait_for_stable_group(cfg, "rebalance", 2)  # joined mid-stream …
    second.terminate()  # … and leaves mid-stream (SIGTERM: it lands its batches and leaves the group)
    finish(second)
    assert stream.is_alive(), "the stream ended before the second member left: make it longer"
    stream.join()
    produced = {event["event_id"] for event in events}
    _wait_until_landed(cfg, produced, 4)
    first.terminate()
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


def test_partitions_are_placed_on_the_workers_by_backlog_when_catching_up(fresh_topics):
    """Three partitions of 600, 300 and 150 events on two landing workers: the largest lands alone (a placement by
    count alone put two partitions on one worker, whichever arrived first); everything lands once."""
    cfg = fresh_topics
    ensure_topics([TOPIC], 3, cfg)
    producer = kafka_client.producer(cfg, linger_ms=20)
    sizes = {0: 600, 1: 300, 2: 150}
    produced, i = set(), 0
    for partition, n in sizes.items():
        for _ in range(n):
            event = hotline_event(i)
            producer.send(TOPIC, value=orjson.dumps(event), partition=partition)
            produced.add(event["event_id"])
            i += 1
    producer.flush()
    producer.close()
    member = Ingestor(["hotline_12345"], "placed", workers=2)
    member.run(progress=False)
    placed = {tp.partition: worker for tp, worker in member.workers.placed.items()}
    assert placed[0] is not placed[1] and placed[1] is placed[2]
    assert sorted(w.backlog for w in member.workers.workers) == [450, 600]
    _assert_exactly_once(cfg, produced)
