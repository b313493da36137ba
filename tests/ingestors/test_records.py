"""The raw record-batch path: ``decode_batches`` agrees with kafka-python's own decoder, and a consumer polling raw
batches from the real broker sees exactly the records a plain kafka-python consumer sees."""
from __future__ import annotations

import random
import struct
import uuid

import pytest
from kafka import KafkaConsumer
from kafka.codec import has_gzip, has_lz4, has_snappy, has_zstd
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords

from ingest_helpers import produce
from jixiao.ingestors.record_decode import _HEADER, CorruptRecordBatch, decode_batches
from jixiao.ingestors.records import poll_raw_batches

CODECS = {0: True, 1: has_gzip(), 2: has_snappy(), 3: has_lz4(), 4: has_zstd()}


def _batch(base: int, records: list[tuple[int, bytes | None, bytes | None, list]], codec: int,
           log_append: bool = False) -> bytes:
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False, producer_id=-1,
                                        producer_epoch=-1, base_sequence=-1, batch_size=1 << 30)
    for delta, (timestamp, key, value, headers) in enumerate(records):
        assert builder.append(delta, timestamp, key, value, headers) is not None
    data = bytearray(builder.build())
    struct.pack_into(">q", data, 0, base)
    if log_append:  # as a broker with message.timestamp.type=LogAppendTime returns it
        attributes = struct.unpack_from(">h", data, 21)[0] | 0x08
        struct.pack_into(">h", data, 21, attributes)
        struct.pack_into(">q", data, 35, 1_777_000_000_123)  # max timestamp
    return bytes(data)


def _reference(batches: list[tuple[int, bytes]]) -> tuple[list, list, list, list]:
    """kafka-python's decoding of the same batches (records at or after each start)."""
    columns = ([], [], [], [])
    for start, data in batches:
        for batch in MemoryRecords(data):
            for record in batch:
                if record.offset >= start:
                    for column, value in zip(columns, (record.offset, record.timestamp, record.key, record.value)):
                        column.append(value)
    return columns


def _random_records(rng: random.Random, n: int) -> list[tuple[int, bytes | None, bytes | None, list]]:
    records = []
    for _ in range(n):
        size = rng.choice([0, 1, 60, 63, 64, 127, 128, 300, 8_191, 8_192, 70_000])
        value = None if rng.random() < 0.05 else rng.randbytes(size)
        key = None if rng.random() < 0.2 else f"GD-SZ-{rng.randrange(10**6)}".encode()
        headers = [("trace", rng.randbytes(rng.randrange(40)))] if rng.random() < 0.3 else []
        records.append((1_700_000_000_000 + rng.randrange(-10**9, 10**9), key, value, headers))
    return records


@pytest.mark.parametrize("codec", [c for c, available in CODECS.items() if available])
def test_decoding_agrees_with_kafka_python(codec):
    rng = random.Random(codec)
    batches, base = [], 5_000_000_000  # offsets past 2**32
    for size in (1, 2, 17, 400):
        data = _batch(base, _random_records(rng, size), codec)
        batches.append((base + size // 2, data))  # a fetch position in the middle of the batch
        base += size + rng.randrange(3)  # gaps, as after compaction
    assert decode_batches(batches) == _reference(batches)
    assert DefaultRecordBatch.HEADER_STRUCT.format == _HEADER.format


def test_log_append_time_is_the_batch_timestamp():
    data = _batch(0, _random_records(random.Random(1), 5), 0, log_append=True)
    offsets, timestamps, _, _ = decode_batches([(0, data)])
    assert offsets == list(range(5)) and set(timestamps) == {1_777_000_000_123}
    assert timestamps == _reference([(0, data)])[1]


def test_a_truncated_batch_is_refused():
    data = _batch(0, _random_records(random.Random(2), 20), 0)
    with pytest.raises(CorruptRecordBatch):
        decode_batches([(0, data[:-7])])


@pytest.mark.kafka
def test_raw_batches_from_the_broker_hold_what_a_plain_consumer_reads(fresh_topics):
    cfg = fresh_topics
    rng = random.Random(3)
    messages = [(None if i % 7 == 0 else f"k{i % 13}".encode(), None if i % 101 == 1 and i % 7 else rng.randbytes(i % 500))
                for i in range(5_000)]
    produce(cfg, messages, topic="jx.test.raw", partitions=2)

    def read(raw: bool) -> dict[int, list]:
        consumer = KafkaConsumer("jx.test.raw", bootstrap_servers=cfg.bootstrap_servers, group_id=str(uuid.uuid4()),
                                 auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=7)
        if raw:
            poll_raw_batches(consumer)
        seen: dict[int, list] = {0: [], 1: []}
        try:
            while sum(len(v) for v in seen.values()) < len(messages):
                for tp, items in consumer.poll(timeout_ms=1_000).items():
                    if raw:
                        offsets, timestamps, keys, values = decode_batches([(b.start, b.data) for b in items])
                        assert offsets[-1] == items[-1].offset
                        seen[tp.partition] += list(zip(offsets, timestamps, keys, values))
                    else:
                        seen[tp.partition] += [(r.offset, r.timestamp, r.key, r.value) for r in items]
        finally:
            consumer.close()
        return seen

    assert read(raw=True) == read(raw=False)
