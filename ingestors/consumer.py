"""The ingest loop: a consumer-group member that lands its partitions exactly once.

The landing zone owns the offsets: on every assignment a partition is recovered and the consumer
seeks to the first uncommitted offset. Kafka's committed offsets are written after each landing
commit for lag monitoring only. Memory is bounded by the batch limits (per partition and across
partitions) and the dedup window, whatever the backlog.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import orjson
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from rich.console import Console
from rich.live import Live
from rich.table import Table

import contracts
from ingestors.landing import LandingZone, PartitionBatch
from ingestors.masking import mask_text
from ingestors.validate import Rejected, decode, business_date
from jixiao.config import Settings, settings


@dataclass
class BatchLimits:
    """A partition's batch is committed when any limit is reached; ``pending_bytes`` caps all partitions."""

    records: int = 50_000
    nbytes: int = 16 * 1024 * 1024
    seconds: float = 5.0
    pending_bytes: int = 64 * 1024 * 1024


CONSUMER_OPTIONS = dict(
    enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=20_000,
    fetch_min_bytes=256 * 1024, fetch_max_wait_ms=100,
    max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=32 * 1024 * 1024,
    check_crcs=False, metrics_enabled=False, allow_auto_create_topics=False,
)
"""Consumer settings of the ingest hot path (CRCs are checked by the broker on produce)."""


@dataclass
class IngestStats:
    consumed: int = 0
    landed: int = 0
    dead: int = 0
    duplicates: int = 0
    commits: int = 0
    fenced: int = 0
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
        self.seen: dict[str, None] = dict.fromkeys(recent_ids[-window:] if window else [])

    def remember(self, event_id: str) -> bool:
        """False when the id was seen before (a duplicate); bounded to the dedup window."""
        seen = self.seen
        if event_id in seen:
            return False
        seen[event_id] = None
        if len(seen) > self.window:
            del seen[next(iter(seen))]
        return True


class Ingestor(ConsumerRebalanceListener):
    """One member of the ingest consumer group."""

    def __init__(self, sources: list[str], group: str, cfg: Settings | None = None,
                 limits: BatchLimits | None = None, dedup_window: int = 100_000, **consumer_options):
        self.cfg = cfg or settings()
        self.zone = LandingZone(self.cfg)
        self.limits = limits or BatchLimits()
        self.dedup_window = dedup_window
        self.topics = [contracts.topic(s) for s in sources]
        self.stats = IngestStats()
        self.states: dict[TopicPartition, _PartitionState] = {}
        self.stopping = False
        options = {**CONSUMER_OPTIONS, **consumer_options}
        # a poll never returns more than one batch, so batches end where the limit says
        options["max_poll_records"] = min(options["max_poll_records"], self.limits.records)
        self.consumer = KafkaConsumer(bootstrap_servers=self.cfg.bootstrap_servers, group_id=group,
                                      client_id=f"jixiao-ingest-{group}", **options)
        self.consumer.subscribe(self.topics, listener=self)

    # -- rebalance callbacks (run inside poll) ---------------------------------------------------
    def on_partitions_revoked(self, revoked):
        """Land what was consumed of each revoked partition before the next owner starts.

        Kafka's offsets are not committed here: kafka-python 3 runs this callback inside its network loop,
        where a blocking commit fails the rebalance; they catch up with the next batch.
        """
        for tp in list(revoked):
            state = self.states.pop(tp, None)
            if state is not None:
                self._commit(state, kafka_offsets=False)

    def on_partitions_lost(self, lost):
        """Evicted from the group: drop the open batches; the new owner re-reads them from Kafka."""
        for tp in list(lost):
            self.states.pop(tp, None)

    def on_partitions_assigned(self, assigned):
        for tp in assigned:
            if tp not in self.states:
                self._resume(tp, self.zone.recover(tp.topic, tp.partition))

    def _resume(self, tp: TopicPartition, next_offset: int) -> None:
        """Start a partition at ``next_offset`` with its dedup window rebuilt from the landing zone."""
        recent = self.zone.recent_event_ids(tp.topic, tp.partition, self.dedup_window)
        self.states[tp] = _PartitionState(tp, next_offset, recent, self.dedup_window)
        self.consumer.seek(tp, next_offset)

    # -- the loop --------------------------------------------------------------------------------
    def run(self, follow: bool = False, progress: bool = True, max_seconds: float | None = None,
            console: Console | None = None) -> IngestStats:
        """Consume until every partition is landed up to its end offset at start (or forever with ``follow``).

        With several members, each stops once the whole group has caught up, so a member that owns
        no partition (more members than partitions) exits too, and a member that dies is covered by
        the others after the rebalance.
        """
        started = time.monotonic()
        targets = {} if follow else self._end_offsets_of_all_partitions()
        shown = checked = 0.0
        with Live(console=console, refresh_per_second=2, transient=False) if progress else _NoLive() as live:
            try:
                while not self.stopping and (max_seconds is None or time.monotonic() - started < max_seconds):
                    polled = self.consumer.poll(timeout_ms=200)
                    for tp, records in polled.items():
                        state = self.states.get(tp)
                        if state is not None:
                            self._process(state, records)
                    self._commit_due()
                    now = time.monotonic()
                    if progress and now - shown >= 1.0:
                        live.update(self._progress_table(now - started))
                        shown = now
                    if not follow and not polled and now - checked >= 0.5:
                        checked = now
                        if self._caught_up(targets):
                            break
            finally:
                for state in list(self.states.values()):
                    self._commit(state)
                self.stats.seconds = time.monotonic() - started
                if progress:
                    live.update(self._progress_table(self.stats.seconds))
                self.consumer.close(autocommit=False)
        return self.stats

    def stop(self) -> None:
        """Ask the loop to land its open batches and leave the group (safe from a signal handler)."""
        self.stopping = True

    def _end_offsets_of_all_partitions(self) -> dict[TopicPartition, int]:
        partitions = [TopicPartition(t, p) for t in self.topics
                      for p in sorted(self.consumer.partitions_for_topic(t) or ())]
        return self.consumer.end_offsets(partitions) if partitions else {}

    def _caught_up(self, targets: dict[TopicPartition, int]) -> bool:
        """True when this member's batches are consumed and the whole group landed every partition's target."""
        if any(self.consumer.position(tp) < targets.get(tp, 0) for tp in self.states):
            return False
        return all(tp in self.states or self.zone.next_offset(tp.topic, tp.partition) >= end
                   for tp, end in targets.items())

    def _progress_table(self, elapsed: float) -> Table:
        owned = sorted(self.states, key=lambda tp: (tp.topic, tp.partition))
        ends = self.consumer.end_offsets(owned) if owned else {}
        table = Table(title=f"ingest · {self.stats.consumed:,} landed-batch events · {elapsed:,.0f}s · "
                            f"dead {self.stats.dead:,} · dup {self.stats.duplicates:,}", title_justify="left")
        for column in ("topic", "partition", "landed to", "pending", "end", "lag"):
            table.add_column(column, justify="left" if column == "topic" else "right")
        for tp in owned:
            batch = self.states[tp].batch
            position = batch.last + 1 if batch.consumed else batch.first
            table.add_row(tp.topic, str(tp.partition), f"{batch.first:,}", f"{batch.consumed:,}",
                          f"{ends[tp]:,}", f"{max(0, ends[tp] - position):,}")
        return table

    def _process(self, state: _PartitionState, records) -> None:
        batch = state.batch
        source = state.source
        landed = batch.landed
        event_ids, event_types, occurred_at = landed["event_id"], landed["event_type"], landed["occurred_at"]
        dept_codes, versions, payloads = landed["dept_code"], landed["schema_version"], landed["payload"]
        person_keys, topics, partitions = landed["person_keys"], landed["kafka_topic"], landed["kafka_partition"]
        offsets, timestamps, dates = landed["kafka_offset"], landed["kafka_timestamp"], batch.business_dates
        pii_fields = contracts.pii_text_fields
        remember = state.remember
        if batch.consumed == 0:
            state.opened = time.monotonic()
        nbytes = 0
        first = batch.first
        for record in records:
            offset = record.offset
            if offset < first:
                continue  # already committed (a fetch from before the seek)
            value = record.value
            if value is not None:
                nbytes += len(value)
            try:
                event = decode(value, source)
            except Rejected as rejected:
                self._dead(batch, record, rejected)
                continue
            if not remember(event["event_id"]):
                batch.duplicates += 1
                continue
            payload = event["payload"]
            event_type = event["event_type"]
            keys: list[str] = []
            for name in pii_fields(source, event_type):
                text = payload.get(name)
                if text:
                    payload[name], found = mask_text(text)
                    keys += found
            occurred = event["occurred_at"]
            dates.append(business_date(occurred))
            event_ids.append(event["event_id"])
            event_types.append(event_type)
            occurred_at.append(occurred)
            dept_codes.append(event["dept_code"])
            versions.append(event["schema_version"])
            payloads.append(orjson.dumps(payload).decode())
            person_keys.append(keys)
            topics.append(record.topic)
            partitions.append(record.partition)
            offsets.append(offset)
            timestamps.append(record.timestamp)
        if records and records[-1].offset >= first:
            batch.last = records[-1].offset
        batch.nbytes += nbytes
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
        """Commit batches open for too long, then the largest ones while all batches exceed the memory cap."""
        now = time.monotonic()
        for state in list(self.states.values()):
            if state.batch.consumed and now - state.opened >= self.limits.seconds:
                self._commit(state)
        pending = sorted(self.states.values(), key=lambda s: s.batch.nbytes, reverse=True)
        total = sum(s.batch.nbytes for s in pending)
        for state in pending:
            if total <= self.limits.pending_bytes:
                break
            total -= state.batch.nbytes
            self._commit(state)

    def _commit(self, state: _PartitionState, kafka_offsets: bool = True) -> None:
        batch = state.batch
        if batch.consumed == 0:
            return
        record = self.zone.commit(batch)
        if record is None:  # fenced: another member committed past us; resume from the landing zone
            self.stats.fenced += 1
            if self.states.get(state.tp) is state:
                self._resume(state.tp, self.zone.recover(batch.topic, batch.partition))
            return
        self.stats.consumed += batch.consumed
        self.stats.landed += record.landed
        self.stats.dead += record.dead
        self.stats.duplicates += record.duplicates
        self.stats.commits += 1
        state.batch = PartitionBatch(batch.topic, batch.partition, batch.source, batch.last + 1)
        if not kafka_offsets:
            return
        try:
            self.consumer.commit({state.tp: OffsetAndMetadata(batch.last + 1, "", -1)})
        except (CommitFailedError, KafkaError, AssertionError):
            pass  # Kafka's offsets only feed lag monitoring; the landing zone is the truth


class _NoLive:
    """Stands in for rich's Live display when progress is off."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, renderable) -> None:
        pass


def ingest(sources: list[str], group: str = "jx-ingest", follow: bool = False, cfg: Settings | None = None,
           progress: bool = True, limits: BatchLimits | None = None) -> IngestStats:
    """Run one ingestor member until caught up (or forever with ``follow``)."""
    return Ingestor(sources, group, cfg, limits).run(follow=follow, progress=progress)
