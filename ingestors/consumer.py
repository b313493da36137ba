"""The ingest loop: a consumer-group member that lands its partitions exactly once.

A member is a pipeline of two processes: this one only polls Kafka and ships each partition's raw
records (offset, timestamp, key, value) to a landing worker (``ingestors.worker``), which decodes,
validates, dedups, masks, builds the Arrow columns and commits Parquet batches. Chunks and commands go
over one ordered pipe, so a command never overtakes a chunk sent before it; the pipe's bounded buffer
is the backpressure (a slow worker blocks the poll loop, not memory).

The landing zone owns the offsets: on every assignment a partition is recovered *by the worker* (after
any chunk still in the pipe) and the consumer seeks to the first uncommitted offset it returns. On a
revoke the member has its batches committed and waits for the worker's confirmation before returning
from the callback. Kafka's committed offsets are written after each landing commit for lag monitoring
only. Memory is bounded by the batch limits (per partition and across partitions), the pipe and the
dedup window, whatever the backlog.
"""
from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from rich.console import Console
from rich.live import Live
from rich.table import Table

from jixiao import contracts
from jixiao.ingestors.landing import LandingZone
from jixiao.runtime.config import Settings, settings


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
    first_record: float = 0.0  # seconds from the start to the end of the first non-empty poll (join, first fetch)
    first_poll_records: int = 0  # records that poll returned
    polling: float = 0.0  # seconds inside KafkaConsumer.poll
    blocked: float = 0.0  # seconds the poll loop waited on the landing worker (backpressure, commits)
    closing: float = 0.0  # seconds from the loop's end to the last commit confirmed

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds else 0.0


class WorkerFailed(RuntimeError):
    """The landing worker process died or reported an error."""


class LandingWorker:
    """The consumer's end of the landing worker process (``ingestors.worker``), see the module docstring there."""

    def __init__(self, cfg: Settings, dedup_window: int):
        self.process = subprocess.Popen([sys.executable, "-m", "jixiao.ingestors.worker", str(os.getpid())],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=-1)
        self._commands = self.process.stdin
        self._replies = os.fdopen(os.dup(self.process.stdout.fileno()), "rb", buffering=0)
        self.process.stdout.close()
        self.handler = lambda reply: None
        self.failed: str | None = None
        self._seq = 0
        self.send(("init", cfg, dedup_window))

    def send(self, message: tuple) -> None:
        if self.failed:
            raise WorkerFailed(self.failed)
        try:
            self._commands.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            self._commands.flush()
        except (BrokenPipeError, OSError) as error:
            self._fail(f"the landing worker is gone ({error}); exit code {self.process.poll()}")

    def request(self, kind: str, *args) -> int:
        """Send a command that the worker answers; its sequence number."""
        self._seq += 1
        self.send((kind, self._seq, *args))
        return self._seq

    def _read(self) -> tuple:
        try:
            reply = pickle.load(self._replies)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self._fail(f"the landing worker is gone ({error!r}); exit code {self.process.wait()}")
        if reply[0] == "error":
            self._fail(f"the landing worker failed:\n{reply[1]}")
        self.handler(reply)
        return reply

    def _fail(self, why: str):
        self.failed = why
        raise WorkerFailed(why)

    def drain(self) -> None:
        """Handle the replies that have arrived, without waiting."""
        while select.select([self._replies], [], [], 0)[0]:
            self._read()

    def wait(self, seqs) -> dict[int, tuple]:
        """Block until the worker answered every command in ``seqs`` (handling other replies on the way)."""
        want, got = set(seqs), {}
        while want:
            reply = self._read()
            if len(reply) > 1 and reply[1] in want:
                want.discard(reply[1])
                got[reply[1]] = reply
        return got

    def stop(self) -> None:
        """Ask the worker to exit (after everything sent), or kill it when it is broken."""
        try:
            if not self.failed:
                self.send(("stop",))
                while self._read()[0] != "stopped":
                    pass
        except WorkerFailed:
            pass
        finally:
            try:
                self._commands.close()
            except OSError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._replies.close()


class _PartitionState:
    """A partition this member owns: where its open batch starts and ends (its records are in the worker)."""

    __slots__ = ("tp", "first", "last", "nbytes", "opened", "since", "fenced")

    def __init__(self, tp: TopicPartition, next_offset: int, since: int):
        self.tp = tp
        self.first = next_offset
        self.last = next_offset - 1
        self.nbytes = 0
        self.opened = time.monotonic()
        self.since = since  # sequence number of the assign command: older replies are about a former ownership
        self.fenced = False

    @property
    def consumed(self) -> int:
        return self.last - self.first + 1


_OFFSET, _TIMESTAMP, _KEY, _VALUE, _VALUE_SIZE = (
    "offset", "timestamp", "key", "value", "serialized_value_size")


class Ingestor(ConsumerRebalanceListener):
    """One member of the ingest consumer group: this process polls, a landing worker process lands."""

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
        self._landed: dict[TopicPartition, int] = {}  # next offsets landed since the last Kafka offset commit
        self.worker = LandingWorker(self.cfg, dedup_window)  # starts while the consumer connects
        self.worker.handler = self._on_reply
        options = {**CONSUMER_OPTIONS, **consumer_options}
        # a poll never returns more than one batch, so batches end where the limit says
        options["max_poll_records"] = min(options["max_poll_records"], self.limits.records)
        try:
            self.consumer = KafkaConsumer(bootstrap_servers=self.cfg.bootstrap_servers, group_id=group,
                                          client_id=f"jixiao-ingest-{group}", **options)
            self.consumer.subscribe(self.topics, listener=self)
        except BaseException:
            self.worker.stop()
            raise
        from kafka.consumer.fetcher import ConsumerRecord
        fields = ConsumerRecord._fields
        self._columns = tuple(fields.index(name) for name in (_OFFSET, _TIMESTAMP, _KEY, _VALUE, _VALUE_SIZE))

    # -- rebalance callbacks (run inside poll) ---------------------------------------------------
    def on_partitions_revoked(self, revoked):
        """Land what was consumed of each revoked partition before the next owner starts: the worker commits
        after the chunks already in the pipe, and the callback returns only once it confirmed.

        Kafka's offsets are not committed here: kafka-python 3 runs this callback inside its network loop,
        where a blocking commit fails the rebalance; they catch up with the next batch.
        """
        seqs = [self._commit(state, release=True) for tp in list(revoked)
                if (state := self.states.pop(tp, None)) is not None]
        self.worker.wait(seqs)

    def on_partitions_lost(self, lost):
        """Evicted from the group: drop the open batches; the new owner re-reads them from Kafka."""
        for tp in list(lost):
            if self.states.pop(tp, None) is not None:
                self.worker.send(("drop", tp.topic, tp.partition))

    def on_partitions_assigned(self, assigned):
        self._assign([tp for tp in assigned if tp not in self.states])

    def _assign(self, partitions: list[TopicPartition]) -> None:
        """Have the worker recover each partition (after anything still in the pipe); seek to its resume offset."""
        seqs = {self.worker.request("assign", tp.topic, tp.partition): tp for tp in partitions}
        for seq, reply in self.worker.wait(seqs).items():
            tp = seqs[seq]
            self.states[tp] = _PartitionState(tp, reply[4], seq)
            self.consumer.seek(tp, reply[4])

    def _on_reply(self, reply: tuple) -> None:
        kind = reply[0]
        if kind == "committed":
            _, seq, topic, partition, record, per_reason = reply
            stats = self.stats
            stats.consumed += record["last"] - record["first"] + 1
            stats.landed += record["landed"]
            stats.dead += record["dead"]
            stats.duplicates += record["duplicates"]
            stats.commits += 1
            for reason, n in per_reason.items():
                stats.per_reason[reason] = stats.per_reason.get(reason, 0) + n
            self._landed[TopicPartition(topic, partition)] = record["last"] + 1
        elif kind == "fenced":  # another member committed past us: resume from the landing zone
            _, seq, topic, partition = reply
            self.stats.fenced += 1
            state = self.states.get(TopicPartition(topic, partition))
            if state is not None and seq > state.since:
                state.fenced = True

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
                    t0 = time.monotonic()
                    polled = self.consumer.poll(timeout_ms=200)
                    t1 = time.monotonic()
                    self.stats.polling += t1 - t0
                    if polled and not self.stats.first_record:
                        self.stats.first_record = t1 - started
                        self.stats.first_poll_records = sum(len(records) for records in polled.values())
                    for tp, records in polled.items():
                        state = self.states.get(tp)
                        if state is not None and not state.fenced:
                            self._ship(state, records)
                    self.worker.drain()
                    fenced = [tp for tp, state in self.states.items() if state.fenced]
                    if fenced:
                        for tp in fenced:
                            del self.states[tp]
                        self._assign(fenced)
                    self._commit_due()
                    self._commit_kafka_offsets()
                    now = time.monotonic()
                    if progress and now - shown >= 1.0:
                        live.update(self._progress_table(now - started))
                        shown = now
                    if not follow and not polled and now - checked >= 0.5:
                        checked = now
                        if self._caught_up(targets):
                            break
            finally:
                closing = time.monotonic()
                try:
                    if not self.worker.failed:
                        self.worker.wait([seq for state in list(self.states.values()) if (seq := self._commit(state)) is not None])
                        self._commit_kafka_offsets()
                        self.states.clear()
                finally:
                    self.worker.stop()
                    self.stats.seconds = time.monotonic() - started
                    self.stats.closing = time.monotonic() - closing
                    if progress:
                        live.update(self._progress_table(self.stats.seconds))
                    self.consumer.close(autocommit=False)
        return self.stats

    def stop(self) -> None:
        """Ask the loop to land its open batches and leave the group (safe from a signal handler)."""
        self.stopping = True

    def _ship(self, state: _PartitionState, records) -> None:
        """Send a partition's newly polled records to the worker as columns; commit when the batch is full."""
        expected = state.last + 1
        if records[0].offset < expected:
            records = [r for r in records if r.offset >= expected]  # fetched before the seek
            if not records:
                return
        offset_i, timestamp_i, key_i, value_i, size_i = self._columns
        columns = list(zip(*records))
        sizes = columns[size_i]
        nbytes = sum(sizes) + sizes.count(-1)  # -1 is a null value
        if state.consumed == 0:
            state.opened = time.monotonic()
        offsets = columns[offset_i]
        tp = state.tp
        t0 = time.monotonic()
        self.worker.send(("chunk", tp.topic, tp.partition, offsets, columns[timestamp_i], columns[key_i],
                          columns[value_i]))
        self.stats.blocked += time.monotonic() - t0
        state.last = offsets[-1]
        state.nbytes += nbytes
        if state.consumed >= self.limits.records or state.nbytes >= self.limits.nbytes:
            self._commit(state)

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
            state = self.states[tp]
            table.add_row(tp.topic, str(tp.partition), f"{state.first:,}", f"{state.consumed:,}",
                          f"{ends[tp]:,}", f"{max(0, ends[tp] - state.last - 1):,}")
        return table

    def _commit_due(self) -> None:
        """Commit batches open for too long, then the largest ones while all batches exceed the memory cap."""
        now = time.monotonic()
        for state in list(self.states.values()):
            if state.consumed and now - state.opened >= self.limits.seconds:
                self._commit(state)
        pending = sorted(self.states.values(), key=lambda s: s.nbytes, reverse=True)
        total = sum(s.nbytes for s in pending)
        for state in pending:
            if total <= self.limits.pending_bytes:
                break
            total -= state.nbytes
            self._commit(state)

    def _commit(self, state: _PartitionState, release: bool = False) -> int | None:
        """Ask the worker to land the partition's batch (``release``: and forget the partition); the request's
        sequence number, None when there was nothing to ask."""
        if state.consumed == 0 and not release:
            return None
        tp = state.tp
        seq = self.worker.request("commit", tp.topic, tp.partition, release)
        state.first = state.last + 1
        state.nbytes = 0
        state.opened = time.monotonic()
        return seq

    def _commit_kafka_offsets(self) -> None:
        """Kafka's offsets only feed lag monitoring; the landing zone is the truth."""
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._landed.items() if tp in self.states}
        self._landed.clear()
        if not offsets:
            return
        try:
            self.consumer.commit(offsets)
        except (CommitFailedError, KafkaError, AssertionError):
            pass


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
