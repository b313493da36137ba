"""The Kafka sink produces from several processes, yet every record lands in the partition kafka-python's (and the
Java client's) default partitioner picks for its key, in the order it was written, with its timestamp."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer
from kafka.partitioner import DefaultPartitioner

from jixiao import contracts
from jixiao.simulator.sinks import KafkaSink

pytestmark = pytest.mark.kafka


def test_several_producer_processes_keep_keys_partitions_and_order(fresh_topics):
    cfg = fresh_topics
    sources = ["hotline_12345", "petition"]
    messages = [(sources[i % 2], f"GD-D{i % 37:02d}".encode(), f"{i:06d}".encode(), 1_767_225_600 + i)
                for i in range(12_000)]
    sink = KafkaSink(cfg, producers=3)
    for start in (0, 5_000):  # two writes, as two simulated months
        part = messages[start:start + 5_000] if start == 0 else messages[start:]
        sink.write_many(*map(list, zip(*part)))
    sink.close()

    consumer = KafkaConsumer(*[contracts.topic(s) for s in sources], bootstrap_servers=cfg.bootstrap_servers,
                             group_id=str(uuid.uuid4()), auto_offset_reset="earliest", enable_auto_commit=False)
    records = []
    try:
        while len(records) < len(messages):
            records += [r for batch in consumer.poll(timeout_ms=1_000).values() for r in batch]
        partitions = {t: sorted(consumer.partitions_for_topic(t)) for t in map(contracts.topic, sources)}
    finally:
        consumer.close()

    chooser = DefaultPartitioner()
    expected = {}
    for source, key, value, instant in messages:
        topic = contracts.topic(source)
        partition = chooser.partition(topic, key, key, value, value, _Cluster(partitions))
        expected.setdefault((topic, partition), []).append((key, value, instant * 1000))
    landed = {}
    for r in sorted(records, key=lambda r: r.offset):
        landed.setdefault((r.topic, r.partition), []).append((r.key, r.value, r.timestamp))
    assert landed == expected


class _Cluster:
    """The little of kafka-python's cluster metadata its default partitioner reads."""

    def __init__(self, partitions: dict[str, list[int]]):
        self._partitions = partitions

    def topics(self):
        return set(self._partitions)

    def partitions_for_topic(self, topic):
        return set(self._partitions[topic])

    def available_partitions_for_topic(self, topic):
        return set(self._partitions[topic])
