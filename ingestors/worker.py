"""The landing worker: the second stage of the ingest pipeline, in its own process.

The consumer process (``ingestors.consumer``) only polls Kafka and ships each partition's record batches as
fetched (raw, still compressed: ``ingestors.records``) here as chunks; this process decodes the records,
validates, dedups, masks, builds the Arrow columns and commits the batches to the landing zone. The consumer
spends well under a microsecond per record, so the landing work has a core to itself.

Protocol (pickled tuples over the worker's stdin; replies over its stdout), one ordered channel, so a
command for a partition never overtakes a chunk sent before it:

    ("init", cfg, dedup_window, limits)              → ("ready",)
    ("assign", seq, topic, partition)                → ("resume", seq, topic, partition, next_offset)
    ("chunk", topic, partition, [(start, last, raw batch), …])              (no reply)
    ("commit", seq, topic, partition, release)       → ("committed", seq, topic, partition, record, per_reason)
                                                     | ("fenced", seq, topic, partition)
                                                     | ("skipped", seq, topic, partition)
    ("drop", topic, partition)                                              (no reply)
    ("stop",)                                        → ("stopped", peak RSS in MiB)
    unasked, after a chunk filled a batch (limits)   → ("landed", assign_seq, topic, partition, record, per_reason)
                                                     | ("fenced", assign_seq, topic, partition)
    any failure                                      → ("error", traceback), then exit

``assign`` recovers the partition (under its commit lock) and rebuilds the dedup window from the landing
zone; a fenced commit (another owner committed past this batch) drops the partition's state, and chunks
of a partition without state are ignored until the consumer assigns it again, so stale chunks that were
in flight can never land.

The worker dies with its parent: ``PR_SET_PDEATHSIG`` (SIGKILL) and, as a second line, end-of-file on
stdin. Even an orphan that finished a commit after its parent died could do no harm: every commit checks,
under the partition's flock, that the batch starts at the committed offset (the fence), so it either
lands before the new owner's recovery (which then resumes after it) or is refused.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
import traceback
import zlib
from datetime import datetime, timedelta, timezone

import numpy as np
import orjson
import pyarrow as pa

from jixiao import contracts
from jixiao.ingestors.dedup import UNKNOWN_DIGEST, DedupWindow, id_hashes
from jixiao.ingestors.landing import BatchLimits, LandingZone, PartitionBatch
from jixiao.ingestors.masking import mask_text, texts_to_mask
from jixiao.ingestors.record_decode import decode_batches
from jixiao.runtime.processes import die_with_parent, peak_rss_mib
from jixiao.ingestors.validate import (ENVELOPE_KEY_COUNT, Rejected, business_date, decode, envelope_shape,
                                       fast_payload_check, matching_envelope_strings, plainly_unique_keys)

_SLICE = 4_096
"""Records decoded and validated in one step: bounds the Python objects alive at once."""
_BUSINESS_SUFFIX = "+08:00"
_BUSINESS_TZ = timezone(timedelta(hours=8))


def _groups(batches: list[tuple[int, int, bytes]]):
    """Consecutive raw batches (start, last, data) of about ``_SLICE`` records each (one batch may hold more)."""
    group, records = [], 0
    for batch in batches:
        group.append(batch)
        records += batch[1] - batch[0] + 1
        if records >= _SLICE:
            yield group
            group, records = [], 0
    if group:
        yield group


def content_hash(event_type: str, occurred_at: str, dept_code: str, schema_version: int, payload: bytes,
                 person_keys: list[str]) -> int:
    """CRC-32 of an event as landed (canonical payload JSON with sorted keys, masked): equal for a byte-identical or
    reformatted re-send, different for a changed one (a correction someone must see)."""
    head = f"{event_type}|{occurred_at}|{dept_code}|{schema_version}"
    if person_keys:
        head += "|" + ",".join(person_keys)
    return zlib.crc32(payload, zlib.crc32(head.encode()))


def _business_seconds(ms: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of an epoch-milliseconds instant in business time (+08:00)."""
    return datetime.fromtimestamp(ms / 1000, _BUSINESS_TZ).strftime("%Y-%m-%dT%H:%M:%S")


class PartitionState:
    """A partition the worker lands: its open batch and its dedup window (the last ``window`` event ids)."""

    def __init__(self, topic: str, partition: int, next_offset: int, recent: list[tuple[str, int | None, int]],
                 window: int, since: int = 0):
        self.topic, self.partition = topic, partition
        self.source = contracts.source_of_topic(topic)
        self.batch = PartitionBatch(topic, partition, self.source, next_offset)
        self.window = DedupWindow(window, recent)
        self.since = since  # sequence number of the assign command (tags the replies the worker sends unasked)
        self.per_reason: dict[str, int] = {}

    def reset(self) -> None:
        batch = self.batch
        self.batch = PartitionBatch(batch.topic, batch.partition, batch.source, batch.last + 1)
        self.per_reason = {}


class Worker:
    """Lands the partitions the consumer assigned; ``notify`` sends the replies nobody asked for (commits the
    worker decided on itself because a batch reached its record or byte limit)."""

    def __init__(self, cfg, dedup_window: int, limits: BatchLimits | None = None, notify=lambda message: None):
        self.zone = LandingZone(cfg)
        self.window = dedup_window
        self.limits = limits or BatchLimits()
        self.notify = notify
        self.max_future_ms = int(cfg.max_future_skew_s * 1000)
        self.states: dict[tuple[str, int], PartitionState] = {}
        matching_envelope_strings(["warm-up"], ["2026-01-01T00:00:00Z"])  # Arrow's compute functions load lazily

    def assign(self, topic: str, partition: int, since: int = 0) -> int:
        fast_payload_check(contracts.source_of_topic(topic))  # compile its validators now, not on the first record
        next_offset = self.zone.recover(topic, partition)
        recent = self.zone.recent_events(topic, partition, self.window)
        self.states[(topic, partition)] = PartitionState(topic, partition, next_offset, recent, self.window, since)
        return next_offset

    def commit(self, topic: str, partition: int, release: bool):
        """('committed', record, per_reason) | ('fenced',) | ('skipped',)."""
        key = (topic, partition)
        state = self.states.get(key)
        if state is None:
            return ("skipped",)
        if release:
            del self.states[key]
        batch = state.batch
        if batch.consumed == 0:
            return ("skipped",)
        record = self.zone.commit(batch)
        if record is None:  # fenced: the consumer assigns the partition again, stale chunks are ignored
            self.states.pop(key, None)
            return ("fenced",)
        per_reason = state.per_reason
        state.reset()
        return ("committed", record.__dict__, per_reason)

    def chunk(self, topic: str, partition: int, batches: list[tuple[int, int, bytes]]) -> None:
        """Land raw record batches, (start offset, last offset, bytes) each, of one partition (see ``records``);
        commit on the worker's own account when the batch reached a record or byte limit."""
        state = self.states.get((topic, partition))
        if state is None:
            return  # fenced or dropped: stale records of a partition this member must re-assign first
        batch = state.batch
        expected = batch.last + 1 if batch.last >= batch.first else batch.first
        wanted = [(max(start, expected), last, data) for start, last, data in batches if last >= expected]
        for group in _groups(wanted):  # bounded Python objects per step, whatever the fetch size
            offsets, timestamps, keys, values = decode_batches([(start, data) for start, _, data in group])
            at, records = 0, self.limits.records
            while at < len(offsets):  # steps end where a batch is full: exact batches
                end = min(len(offsets), at + max(1, records - state.batch.consumed))
                if end == len(offsets):
                    self.land(state, offsets[at:], timestamps[at:], keys[at:], values[at:], last=group[-1][1])
                else:
                    self.land(state, offsets[at:end], timestamps[at:end], keys[at:end], values[at:end])
                self._commit_over_limits(state)
                at = end

    def _commit_over_limits(self, state: PartitionState) -> None:
        """Commit the partition's batch when it is full, then the largest batches while all exceed the memory cap."""
        limits = self.limits
        batch = state.batch
        if batch.consumed >= limits.records or batch.nbytes >= limits.nbytes:
            self._commit_unasked(state)
        held = sorted(self.states.values(), key=lambda s: s.batch.nbytes, reverse=True)
        total = sum(s.batch.nbytes for s in held)
        for other in held:
            if total <= limits.pending_bytes:
                break
            total -= other.batch.nbytes
            self._commit_unasked(other)

    def _commit_unasked(self, state: PartitionState) -> None:
        outcome = self.commit(state.topic, state.partition, False)
        if outcome[0] == "committed":
            self.notify(("landed", state.since, state.topic, state.partition, *outcome[1:]))
        elif outcome[0] == "fenced":
            self.notify(("fenced", state.since, state.topic, state.partition))

    def land(self, state: PartitionState, offsets, timestamps, keys, values, last: int | None = None) -> None:
        """Decode, validate, dedup and mask records of one partition (in offset order, after its open batch) into
        the batch.

        Four passes: (1) per record, orjson and the typed checks (envelope shape, payload, no repeated key,
        timestamp not ahead of the broker's); (2) for all records at once in Arrow, the envelope's two string
        patterns and the search for texts that may hold PII, which are then masked; (3) in offset order, records
        the fast path did not accept are judged by the reference decoder (dead letter with its reason, or
        accepted and masked), and every valid record gets its landed payload and content hash; (4) the slice is
        looked up in the dedup window in one step, then in offset order re-sends are dropped as duplicates (same
        content) or dead-lettered as conflicting duplicates (same event_id, different content), and the rest
        appended to the batch's columns, which are then sealed into Arrow. The batch then ends at ``last``
        (default: the last record's offset).
        """
        topic, partition, source = state.topic, state.partition, state.source
        batch = state.batch
        pii_fields = contracts.pii_text_fields
        payload_checks = fast_payload_check(source)
        fromisoformat = datetime.fromisoformat
        loads, dumps, sort_keys = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS
        max_bytes = contracts.MAX_MESSAGE_BYTES
        decode_error = orjson.JSONDecodeError
        max_future = self.max_future_ms
        now_ms = int(time.time() * 1000)
        broker_ms = [t if t is not None and t >= 0 else now_ms for t in timestamps]
        # occurred_at at +08:00 sorting before this is within the skew of every record
        surely_not_future = _business_seconds(min(broker_ms) + max_future)

        # (1) the per-record fast path
        events: list = [None] * len(offsets)
        chosen: list[int] = []
        for i, value in enumerate(values):
            if value is None or len(value) > max_bytes:
                continue
            try:
                event = loads(value)
            except decode_error:
                continue
            if not envelope_shape(event) or event["source"] != source:
                continue
            payload = event["payload"]
            check = payload_checks.get(event["event_type"])
            if check is None or not check(payload) or not plainly_unique_keys(value, ENVELOPE_KEY_COUNT + len(payload)):
                continue
            occurred = event["occurred_at"]
            try:
                instant = fromisoformat(occurred)
            except ValueError:
                continue
            if not (occurred.endswith(_BUSINESS_SUFFIX) and occurred[:19] < surely_not_future) \
                    and instant.timestamp() * 1000 > broker_ms[i] + max_future:
                continue
            events[i] = event
            chosen.append(i)

        # (2) vectorised: envelope string patterns, then PII masking of the texts that may need it
        masked_keys: dict[int, list[str]] = {}
        if chosen:
            for j in matching_envelope_strings([events[i]["event_id"] for i in chosen],
                                               [events[i]["occurred_at"] for i in chosen]):
                events[chosen[j]] = None  # the reference decoder judges it in pass 3
            texts, places = [], []
            for i in chosen:
                event = events[i]
                if event is not None:
                    payload = event["payload"]
                    for name in pii_fields(source, event["event_type"]):
                        text = payload.get(name)
                        if text:
                            texts.append(text)
                            places.append((i, name))
            for j in texts_to_mask(texts):
                i, name = places[j]
                masked, found = mask_text(texts[j])
                events[i]["payload"][name] = masked
                if found:
                    masked_keys[i] = masked_keys.get(i, []) + found

        # (3) in offset order: the reference decoder for the rest, the landed form and its content hash
        rows = []  # (index, event, payload JSON, content hash, masked person keys) of every valid record
        no_keys: list[str] = []
        for i, event in enumerate(events):
            if event is None:
                try:
                    event = decode(values[i], source, broker_ms[i], max_future)
                except Rejected as rejected:
                    self._dead(state, topic, partition, offsets[i], timestamps[i], keys[i], values[i], rejected)
                    continue
                keys_found = []
                payload = event["payload"]
                for name in pii_fields(source, event["event_type"]):
                    text = payload.get(name)
                    if text:
                        payload[name], found = mask_text(text)
                        keys_found += found
            else:
                keys_found = masked_keys.get(i, no_keys)
            payload = dumps(event["payload"], option=sort_keys)  # UTF-8 bytes: Arrow checks and stores them as strings
            digest = content_hash(event["event_type"], event["occurred_at"], event["dept_code"],
                                  event["schema_version"], payload, keys_found)
            rows.append((i, event, payload, digest, keys_found))

        # (4) dedup: against the window in one vectorised step, within the slice in order; then the columns
        window = state.window
        hashes = id_hashes([row[1]["event_id"] for row in rows])
        in_window = window.find(hashes).tolist()
        in_slice: dict[int, tuple[int, int]] = {}  # id hash → (offset, content hash) of the slice's new events
        new_at: list[int] = []
        for j, id_hash in enumerate(hashes.tolist()):
            at = in_window[j]
            i, digest = rows[j][0], rows[j][3]
            prior = (int(window.offsets[at]), int(window.digests[at])) if at >= 0 else in_slice.get(id_hash)
            if prior is None:
                in_slice[id_hash] = (offsets[i], digest)
                new_at.append(j)
            elif prior[1] == digest or prior[1] == UNKNOWN_DIGEST:  # unknown: landed without a content hash
                batch.duplicates += 1
            else:
                self._dead(state, topic, partition, offsets[i], timestamps[i], keys[i], values[i], Rejected(
                    "conflicting_duplicate", f"event_id {rows[j][1]['event_id']} first landed from {topic} partition "
                    f"{partition} offset {prior[0]} with different content; this version is offset {offsets[i]}"))
        if new_at:
            new = [rows[j] for j in new_at] if len(new_at) < len(rows) else rows
            events_new = [row[1] for row in new]
            new_offsets = [offsets[row[0]] for row in new]
            new_digests = [row[3] for row in new]
            landed = batch.landed
            batch.business_dates.extend([e["occurred_at"][:10] if e["occurred_at"].endswith(_BUSINESS_SUFFIX)
                                         else business_date(e["occurred_at"]) for e in events_new])
            for column in ("event_id", "event_type", "occurred_at", "dept_code", "schema_version"):
                landed[column].extend([e[column] for e in events_new])
            landed["payload"].extend([row[2] for row in new])
            landed["person_keys"].extend([row[4] for row in new])
            landed["kafka_offset"].extend(new_offsets)
            landed["kafka_timestamp"].extend([timestamps[row[0]] for row in new])
            landed["content_hash"].extend(new_digests)
            landed["kafka_topic"].extend([topic] * len(new))
            landed["kafka_partition"].extend([partition] * len(new))
            window.add(hashes[new_at], np.asarray(new_offsets, np.int64), np.asarray(new_digests, np.int64))
        batch.last = max(batch.last, offsets[-1] if last is None else last)
        batch.seal()

    def _dead(self, state: PartitionState, topic, partition, offset, timestamp, key, value, rejected) -> None:
        dead = state.batch.dead
        dead["kafka_topic"].append(topic)
        dead["kafka_partition"].append(partition)
        dead["kafka_offset"].append(offset)
        dead["kafka_timestamp"].append(timestamp)
        dead["key"].append(key)
        dead["raw_value"].append(value)
        dead["reason"].append(rejected.reason)
        dead["detail"].append(rejected.detail[:1000])
        state.per_reason[rejected.reason] = state.per_reason.get(rejected.reason, 0) + 1


def main() -> None:
    """Serve one consumer process over stdin/stdout until it says stop or goes away."""
    parent = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the consumer, which stops us in order
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    commands = os.fdopen(os.dup(0), "rb", buffering=1 << 20)
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # stray prints must not corrupt the reply channel
    sys.stdout = sys.stderr

    def reply(message) -> None:
        replies.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    # two dicts per record, freed by reference counting: collect the young generation rarely, never the start-up's
    gc.set_threshold(100_000, 50, 1_000)
    pa.set_memory_pool(pa.system_memory_pool())  # returns freed columns to the system: a lower high-water mark
    worker = None
    try:
        while True:
            try:
                message = pickle.load(commands)
            except EOFError:
                return  # the consumer is gone
            kind = message[0]
            if kind == "chunk":
                worker.chunk(*message[1:])
            elif kind == "commit":
                _, seq, topic, partition, release = message
                reply(_commit_reply(worker, seq, topic, partition, release))
            elif kind == "assign":
                _, seq, topic, partition = message
                reply(("resume", seq, topic, partition, worker.assign(topic, partition, seq)))
            elif kind == "drop":
                worker.states.pop((message[1], message[2]), None)
            elif kind == "init":
                worker = Worker(*message[1:], notify=reply)
                gc.freeze()
                reply(("ready",))
            elif kind == "stop":
                reply(("stopped", peak_rss_mib()))
                return
    except BaseException:  # noqa: BLE001 — report anything to the consumer, which raises it
        try:
            reply(("error", traceback.format_exc()))
        except OSError:
            pass
        os._exit(1)


def _commit_reply(worker: Worker, seq: int, topic: str, partition: int, release: bool):
    outcome = worker.commit(topic, partition, release)
    return (outcome[0], seq, topic, partition, *outcome[1:])


if __name__ == "__main__":
    main()
