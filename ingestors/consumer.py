"""The ingest loop: a consumer-group member that lands its partitions exactly once.

The landing zone owns the offsets: on every assignment a partition is recovered and the consumer
seeks to the first uncommitted offset. Kafka's committed offsets are written after each landing
commit for lag monitoring only.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import orjson
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import contracts
from ingestors.landing import LandingZone, PartitionBatch
from ingestors.masking import mask_text
from ingestors.validate import Rejected, decode
from jixiao.config import Settings, settings

_BUSINESS_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no DST


@dataclass
class BatchLimits:
    """A partition's batch is committed when any limit is reached."""

    records: int = 50_000
    nbytes: int = 32 * 1024 * 1024
    seconds: float = 5.0


@dataclass
class IngestStats:
    consumed: int = 0
    landed: int = 0
    dead: int = 0
    duplicates: int = 0
    commits: int = 0
    seconds: float = 0.0
    per_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds else 0.0


class _PartitionState:
    """A partition this member owns: its open batch and its dedup window."""

    def __init__(self, tp: TopicPartition, next_offset: int, recent_ids: list[str], window: int):
        self.tp = tp
        self.source = contracts.source_of_topic(tp.topic)
        self.batch = PartitionBatch(tp.topic, tp.partition, self.source, next_offset)
        self.opened = time.monotonic()
        self.window = window
        self.seen: dict[str, None] = dict.fromkeys(recent_ids[-window:])

    def remember(self, event_id: str) -> bool:
        """False when the id was seen before (a duplicate); bounded to the dedup window."""
        if event_id in self.seen:
            return False
        self.seen[event_id] = None
        if len(self.seen) > self.window:
            del self.seen[next(iter(self.seen))]
        return True


class Ingestor(ConsumerRebalanceListener):
    """One member of the ingest consumer group."""

    def __init__(self, sources: list[str], group: str, cfg: Settings | None = None,
                 limits: BatchLimits | None = None, dedup_window: int = 1_000_000):
        self.cfg = cfg or settings()
        self.zone = LandingZone(self.cfg)
        self.limits = limits or BatchLimits()
        self.dedup_window = dedup_window
        self.topics = [contracts.topic(s) for s in sources]
        self.stats = IngestStats()
        self.states: dict[TopicPartition, _PartitionState] = {}
        self.consumer = KafkaConsumer(
            bootstrap_servers=self.cfg.bootstrap_servers, group_id=group, client_id=f"jixiao-ingest-{group}",
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=10_000,
            max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_bytes=32 * 1024 * 1024,
            metrics_enabled=False, allow_auto_create_topics=False)
        self.consumer.subscribe(self.topics, listener=self)

    # -- rebalance callbacks (run inside poll) ---------------------------------------------------
    def on_partitions_revoked(self, revoked):
        for tp in list(revoked):
            state = self.states.pop(tp, None)
            if state is not None:
                self._commit(state)

    def on_partitions_assigned(self, assigned):
        for tp in assigned:
            self._resume(tp, self.zone.recover(tp.topic, tp.partition))

    def _resume(self, tp: TopicPartition, next_offset: int) -> None:
        """Start a partition at ``next_offset`` with its dedup window rebuilt from the landing zone."""
        recent = self.zone.recent_event_ids(tp.topic, tp.partition, self.dedup_window)
        self.states[tp] = _PartitionState(tp, next_offset, recent, self.dedup_window)
        self.consumer.seek(tp, next_offset)

    # -- the loop --------------------------------------------------------------------------------
    def run(self, follow: bool = False, progress: bool = True, max_seconds: float | None = None) -> IngestStats:
        """Consume until caught up with the end offsets (or forever with ``follow``)."""
        started = time.monotonic()
        columns = [TextColumn("[bold]ingest[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn()]
        with Progress(*columns, disable=not progress) as bar:
            task = bar.add_task("joining group", total=None)
            try:
                while max_seconds is None or time.monotonic() - started < max_seconds:
                    polled = self.consumer.poll(timeout_ms=500)
                    for tp, records in polled.items():
                        state = self.states.get(tp)
                        if state is not None:
                            self._process(state, records)
                    self._commit_due()
                    if self.states:
                        lag = self._lag()
                        bar.update(task, completed=self.stats.consumed, total=self.stats.consumed + lag,
                                   description=f"{len(self.states)} partitions, lag {lag:,}, "
                                               f"dead {self.stats.dead:,}, dup {self.stats.duplicates:,}")
                        if not follow and lag == 0 and not polled:
                            break
            finally:
                for state in list(self.states.values()):
                    self._commit(state)
                self.stats.seconds = time.monotonic() - started
                self.consumer.close(autocommit=False)
        return self.stats

    def _lag(self) -> int:
        ends = self.consumer.end_offsets(list(self.states))
        return sum(max(0, ends[tp] - self.consumer.position(tp)) for tp in self.states)

    def _process(self, state: _PartitionState, records) -> None:
        batch = state.batch
        source = state.source
        landed = batch.landed
        for record in records:
            if record.offset < batch.first:
                continue  # already committed (a fetch from before the seek)
            if batch.last < batch.first:
                state.opened = time.monotonic()
            batch.last = record.offset
            value = record.value
            batch.nbytes += len(value) if value else 0
            try:
                event = decode(value, source)
            except Rejected as rejected:
                self._dead(batch, record, rejected)
                continue
            if not state.remember(event["event_id"]):
                batch.duplicates += 1
                continue
            payload = event["payload"]
            person_keys: list[str] = []
            for name in contracts.pii_text_fields(source, event["event_type"]):
                payload[name], keys = mask_text(payload[name])
                person_keys += keys
            occurred = event["occurred_at"]
            batch.business_dates.append((occurred.astimezone(timezone.utc) + _BUSINESS_OFFSET).date().isoformat())
            landed["event_id"].append(event["event_id"])
            landed["event_type"].append(event["event_type"])
            landed["occurred_at"].append(occurred)
            landed["dept_code"].append(event["dept_code"])
            landed["schema_version"].append(event["schema_version"])
            landed["payload"].append(orjson.dumps(payload).decode())
            landed["person_keys"].append(person_keys)
            landed["kafka_topic"].append(record.topic)
            landed["kafka_partition"].append(record.partition)
            landed["kafka_offset"].append(record.offset)
            landed["kafka_timestamp"].append(record.timestamp)
        if batch.consumed >= self.limits.records or batch.nbytes >= self.limits.nbytes:
            self._commit(state)

    def _dead(self, batch: PartitionBatch, record, rejected: Rejected) -> None:
        dead = batch.dead
        dead["kafka_topic"].append(record.topic)
        dead["kafka_partition"].append(record.partition)
        dead["kafka_offset"].append(record.offset)
        dead["kafka_timestamp"].append(record.timestamp)
        dead["key"].append(record.key)
        dead["raw_value"].append(record.value)
        dead["reason"].append(rejected.reason)
        dead["detail"].append(rejected.detail[:1000])
        self.stats.per_reason[rejected.reason] = self.stats.per_reason.get(rejected.reason, 0) + 1

    def _commit_due(self) -> None:
        now = time.monotonic()
        for state in self.states.values():
            if state.batch.consumed and now - state.opened >= self.limits.seconds:
                self._commit(state)

    def _commit(self, state: _PartitionState) -> None:
        batch = state.batch
        record = self.zone.commit(batch)
        if record is not None:
            self.stats.consumed += batch.consumed
            self.stats.landed += record.landed
            self.stats.dead += record.dead
            self.stats.duplicates += record.duplicates
            self.stats.commits += 1
            try:
                self.consumer.commit({state.tp: OffsetAndMetadata(batch.last + 1, "", -1)})
            except (CommitFailedError, KafkaError):
                pass  # Kafka's offsets only feed lag monitoring; the landing zone is the truth
            state.batch = PartitionBatch(batch.topic, batch.partition, batch.source, batch.last + 1)
        elif batch.consumed and state.tp in self.states:  # fenced: another member committed past us
            self._resume(state.tp, self.zone.next_offset(batch.topic, batch.partition))


def ingest(sources: list[str], group: str = "jx-ingest", follow: bool = False, cfg: Settings | None = None,
           progress: bool = True, limits: BatchLimits | None = None) -> IngestStats:
    """Run one ingestor member until caught up (or forever with ``follow``)."""
    return Ingestor(sources, group, cfg, limits).run(follow=follow, progress=progress)
