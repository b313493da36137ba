"""Kafka record batches as fetched: the consumer ships them raw, the landing worker decodes them.

kafka-python turns every record of a fetch response into a ``ConsumerRecord`` in pure Python (≈ 5 µs per
record, most of a bare poll loop's time). The ingestor needs four fields per record, so its consumer asks
kafka-python for the *record batches* instead (:func:`poll_raw_batches`: the fetcher's per-partition record
iterator yields one :class:`RawBatch` per batch, everything else — fetch sessions, positions, rebalances, offset
resets — stays kafka-python's), ships the batch bytes as they came over the wire (compressed) and the landing worker
decodes them with :func:`jixiao.ingestors.record_decode.decode_batches`, a tight loop over message format v2 that only reads what landing needs.

The decoder (``ingestors.record_decode``) is checked against kafka-python's own (``tests/ingestors/test_records.py``).
"""
from __future__ import annotations

from typing import NamedTuple

from kafka.consumer.fetcher import Fetcher


class RawBatch(NamedTuple):
    """One record batch of a partition as fetched. ``offset`` is the batch's last offset (kafka-python's fetcher
    skips items whose ``offset`` is below the fetch position, i.e. batches wholly before it); records before
    ``start`` (the fetch position, when the batch straddles it) are not wanted."""

    offset: int
    start: int
    count: int
    data: bytes | bytearray


class _RawPartitionRecords(Fetcher.PartitionRecords):
    """kafka-python's per-partition record iterator, one item per record batch instead of per record."""

    def _unpack_records(self, tp, records, key_deserializer, value_deserializer):
        batch = records.next_batch()
        while batch is not None:
            if batch.magic >= 2:
                if batch.is_control_batch:  # transaction markers: never data
                    self.next_fetch_offset = batch.next_offset
                    batch = records.next_batch()
                    continue
                first, last, count = batch.base_offset, batch.last_offset, batch.records_count
                data = batch._buffer  # the batch bytes as fetched (kafka-python copies them into a bytearray)
            else:  # message format v0/v1: one wrapper message per batch
                data = bytes(batch._buffer)
                offsets = [record.offset for record in batch]
                if not offsets:
                    batch = records.next_batch()
                    continue
                first, last, count = offsets[0], offsets[-1], len(offsets)
            self.records_read += count
            self.bytes_read += len(data)
            self.next_fetch_offset = last + 1
            yield RawBatch(last, max(first, self.fetch_offset), count, data)
            batch = records.next_batch()
        self.drain()


def poll_raw_batches(consumer) -> None:
    """Make ``consumer.poll()`` return ``{TopicPartition: [RawBatch, …]}`` (``max_poll_records`` then counts batches).

    Only for ``isolation_level="read_uncommitted"`` (the default): aborted transactions are not filtered here."""
    if consumer.config["isolation_level"] != "read_uncommitted":
        raise ValueError("raw record batches are only read with isolation_level='read_uncommitted'")
    consumer._fetcher.PartitionRecords = _RawPartitionRecords
