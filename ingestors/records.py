"""Kafka record batches as fetched: the consumer ships them raw, the landing worker decodes them.

kafka-python turns every record of a fetch response into a ``ConsumerRecord`` in pure Python (≈ 5 µs per
record, most of a bare poll loop's time). The ingestor needs four fields per record, so its consumer asks
kafka-python for the *record batches* instead (:func:`poll_raw_batches`: the fetcher's per-partition record
iterator yields one :class:`RawBatch` per batch, everything else — fetch sessions, positions, rebalances, offset
resets — stays kafka-python's), ships the batch bytes as they came over the wire (compressed) and the landing worker
decodes them with :func:`decode_batches`, a tight loop over message format v2 that only reads what landing needs.

The decoder is checked against kafka-python's own (``tests/ingestors/test_records.py``); message formats v0/v1
(gone from Kafka 4 brokers) are decoded by kafka-python's ``MemoryRecords``.
"""
from __future__ import annotations

import struct
from typing import NamedTuple

from kafka.codec import gzip_decode, lz4_decode, snappy_decode, zstd_decode
from kafka.consumer.fetcher import Fetcher
from kafka.errors import CorruptRecordError
from kafka.record.memory_records import MemoryRecords


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


_HEADER = struct.Struct(">qiibIhiqqqhii")
"""Record batch v2 header: base offset, length, leader epoch, magic, CRC, attributes, last offset delta, first
timestamp, max timestamp, producer id, producer epoch, base sequence, records count."""
_DECOMPRESS = {1: gzip_decode, 2: lambda data: snappy_decode(bytes(data)), 3: lambda data: lz4_decode(bytes(data)),
               4: lambda data: zstd_decode(bytes(data))}
_LOG_APPEND_TIME = 0x08


def _varint(buf, p: int) -> tuple[int, int]:
    """A zigzag varint of more than one byte at ``p``: (value, next position)."""
    value, shift = buf[p] & 0x7F, 7
    p += 1
    while True:
        b = buf[p]
        p += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return (value >> 1) ^ -(value & 1), p
        shift += 7
        if shift > 63:
            raise CorruptRecordError("varint out of int64 range")


def decode_batches(batches: list[tuple[int, bytes | bytearray]]) -> tuple[list[int], list[int], list, list]:
    """(offsets, timestamps, keys, values) of the records at or after each batch's start offset, in offset order.

    ``batches`` are (start, raw batch bytes) pairs; keys and values are ``bytes`` or None (null)."""
    offsets: list[int] = []
    timestamps: list[int] = []
    keys: list = []
    values: list = []
    for start, data in batches:
        if len(data) > 16 and data[16] >= 2:
            _decode_v2(data, start, offsets, timestamps, keys, values)
        else:
            for record in MemoryRecords(bytes(data)):
                for r in record:
                    if r.offset >= start:
                        offsets.append(r.offset)
                        timestamps.append(r.timestamp)
                        keys.append(r.key)
                        values.append(r.value)
    return offsets, timestamps, keys, values


def _decode_v2(data, start: int, offsets: list, timestamps: list, keys: list, values: list) -> None:
    """Append the records of one message format v2 batch (the layout of kafka-python's ``DefaultRecordBatch``)."""
    (base, length, _, _, _, attributes, _, first_ts, max_ts, _, _, _, count) = _HEADER.unpack_from(data)
    if length + 12 != len(data):
        raise CorruptRecordError(f"record batch at offset {base}: length {length + 12} != {len(data)} bytes")
    codec = attributes & 0x07
    body = memoryview(data)[_HEADER.size:]
    if codec:
        decompress = _DECOMPRESS.get(codec)
        if decompress is None:
            raise CorruptRecordError(f"record batch at offset {base}: unknown compression codec {codec}")
        buf = decompress(body)
    else:
        buf = bytes(body)
    log_append = bool(attributes & _LOG_APPEND_TIME)
    append_offset, append_ts, append_key, append_value = offsets.append, timestamps.append, keys.append, values.append
    p = 0
    for _ in range(count):
        b = buf[p]  # record length
        if b < 0x80:
            size, p = (b >> 1) ^ -(b & 1), p + 1
        else:
            size, p = _varint(buf, p)
        end = p + size
        b = buf[p + 1]  # after the attributes byte: timestamp delta
        if b < 0x80:
            ts, p = (b >> 1) ^ -(b & 1), p + 2
        else:
            ts, p = _varint(buf, p + 1)
        b = buf[p]  # offset delta
        if b < 0x80:
            delta, p = (b >> 1) ^ -(b & 1), p + 1
        else:
            delta, p = _varint(buf, p)
        b = buf[p]  # key length (-1: null)
        if b < 0x80:
            n, p = (b >> 1) ^ -(b & 1), p + 1
        else:
            n, p = _varint(buf, p)
        if n >= 0:
            key, p = buf[p:p + n], p + n
        else:
            key = None
        b = buf[p]  # value length (-1: null)
        if b < 0x80:
            n, p = (b >> 1) ^ -(b & 1), p + 1
        else:
            n, p = _varint(buf, p)
        if n >= 0:
            value, p = buf[p:p + n], p + n
        else:
            value = None
        if p > end:
            raise CorruptRecordError(f"record batch at offset {base}: a record overruns its length")
        p = end  # headers are not landed
        offset = base + delta
        if offset >= start:
            append_offset(offset)
            append_ts(max_ts if log_append else first_ts + ts)
            append_key(key)
            append_value(value)
    if p != len(buf):
        raise CorruptRecordError(f"record batch at offset {base}: {len(buf) - p} bytes after its {count} records")

