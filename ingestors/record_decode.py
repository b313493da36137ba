"""The landing worker's decoder of Kafka record batches as the consumer shipped them (``ingestors.records``).

A tight loop over message format v2 that reads only offset, timestamp, key and value. It imports no kafka-python
at start (that package costs a process about 20 MiB): the codecs are the libraries kafka-python uses itself (gzip,
lz4 frames, zstandard; snappy's xerial framing and message formats v0/v1, gone from Kafka 4 brokers, load
kafka-python when met). Checked against kafka-python's own decoder for every codec (``tests/ingestors/test_records.py``).
"""
from __future__ import annotations

import gzip
import io
import struct

import lz4.frame
import zstandard


class CorruptRecordBatch(ValueError):
    """A record batch that does not parse: the worker reports it and stops (the partition is not committed past it)."""


_HEADER = struct.Struct(">qiibIhiqqqhii")
"""Record batch v2 header: base offset, length, leader epoch, magic, CRC, attributes, last offset delta, first
timestamp, max timestamp, producer id, producer epoch, base sequence, records count."""


def _snappy(data) -> bytes:
    from kafka.codec import snappy_decode  # xerial framing; rare enough to load kafka-python for

    return snappy_decode(bytes(data))


def _zstd(data) -> bytes:
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
        return reader.read()


_DECOMPRESS = {1: gzip.decompress, 2: _snappy, 3: lambda data: lz4.frame.decompress(bytes(data)),
               4: _zstd}
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
            raise CorruptRecordBatch("varint out of int64 range")


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
        else:  # message format v0/v1, gone from Kafka 4 brokers
            from kafka.record.memory_records import MemoryRecords

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
        raise CorruptRecordBatch(f"record batch at offset {base}: length {length + 12} != {len(data)} bytes")
    codec = attributes & 0x07
    body = memoryview(data)[_HEADER.size:]
    if codec:
        decompress = _DECOMPRESS.get(codec)
        if decompress is None:
            raise CorruptRecordBatch(f"record batch at offset {base}: unknown compression codec {codec}")
        buf = decompress(body)
    else:
        buf = bytes(body)
    log_append = bool(attributes & _LOG_APPEND_TIME)
    append_offset, append_ts, append_key, append_value = offsets.append, timestamps.append, keys.append, values.append
    p = 0
    for _ in range(count):  # each field read inline, no helper call per field: this runs once per record
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
            raise CorruptRecordBatch(f"record batch at offset {base}: a record overruns its length")
        p = end  # headers are not landed
        offset = base + delta
        if offset >= start:
            append_offset(offset)
            append_ts(max_ts if log_append else first_ts + ts)
            append_key(key)
            append_value(value)
    if p != len(buf):
        raise CorruptRecordBatch(f"record batch at offset {base}: {len(buf) - p} bytes after its {count} records")

