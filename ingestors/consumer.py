"""The ingest loop: a consumer-group member that lands its partitions exactly once.

A member is a pipeline of two processes: this one only polls Kafka and ships each partition's record
batches as fetched (``ingestors.records``: kafka-python never builds a record object here) to a landing
worker (``ingestors.worker``), which decodes the records, validates, dedups, masks, builds the Arrow columns
and commits Parquet batches. Chunks and commands go over one ordered pipe, so a command never overtakes a
chunk sent before it; the pipe's bounded buffer is the backpressure (a slow worker blocks the poll loop, not
memory).

The landing zone owns the offsets: on every assignment a partition is recovered *by the worker* (after
any chunk still in the pipe) and the consumer seeks to the first uncommitted offset it returns. On a
revoke the member has its batches committed and waits for the worker's confirmation before returning
from the callback. Kafka's committed offsets are written after each landing commit for lag monitoring
only. The worker commits a batch itself when it reaches its record or byte limit (:class:`BatchLimits`), this
process when it has been open too long, on a revoke and at the end. Memory is bounded by the batch limits (per
partition and across partitions), the fetch sizes, the pipe and the dedup window, whatever the backlog.
"""
from __future__ import annotations

import fcntl
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
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
from jixiao.ingestors.landing import BatchLimits, LandingZone
from jixiao.ingestors.records import poll_raw_batches
from jixiao.runtime.config import Settings, settings
from jixiao.runtime.processes import cores


CONSUMER_OPTIONS = dict(
    enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=1_000,
    fetch_min_bytes=256 * 1024, fetch_max_wait_ms=100,
    max_partition_fetch_bytes=1024 * 1024, fetch_max_bytes=8 * 1024 * 1024,
    check_crcs=False, metrics_enabled=False, allow_auto_create_topics=False,
)
"""Consumer settings of the ingest hot path (CRCs are checked by the broker on produce). The Ingestor polls record
batches, so ``max_poll_records`` counts batches there; the fetch sizes bound what one poll holds."""


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
    joined: float = 0.0  # seconds from the start until the first partitions were assigned (the group join)
    worker_peak_rss_mib: float = 0.0  # the largest landing worker's peak resident memory
    polling: float = 0.0  # seconds inside KafkaConsumer.poll
    blocked: float = 0.0  # seconds the poll loop waited on the landing worker (backpressure, commits)
    closing: float = 0.0  # seconds from the loop's end to the last commit confirmed

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds else 0.0


_PIPE_BYTES = 1 << 20


class WorkerFailed(RuntimeError):
    """The landing worker process died or reported an error."""


_WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
"""glibc: every block of 128 KiB or more (Arrow columns, dedup windows, chunks) gets its own mapping, given back
when freed. Without it glibc raises the threshold as such blocks are freed, serves them from the heap, and the heap's
holes keep the worker's resident memory about 30 MiB higher (``benchmarks/ingest`` backlog)."""


class LandingWorker:
    """The consumer's end of one landing worker process (``ingestors.worker``), see the module docstring there.

    Messages go through a bounded queue to a thread that writes them to the worker's pipe: the poll loop blocks
    only when the queue is full (backpressure), never while one worker reads a large chunk and another idles."""

    def __init__(self, cfg: Settings, dedup_window: int, limits: BatchLimits, handler, queued: int = 4):
        self.process = subprocess.Popen([sys.executable, "-m", "jixiao.ingestors.worker", str(os.getpid())],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                                        env={**os.environ, **_WORKER_MALLOC})
        try:
            fcntl.fcntl(self.process.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        except (AttributeError, OSError):
            pass  # not Linux, or above the system's pipe-max-size: the default pipe works, in smaller steps
        self.replies = os.fdopen(os.dup(self.process.stdout.fileno()), "rb", buffering=0)
        self.process.stdout.close()
        self.handler = handler
        self.failed: str | None = None
        self.partitions = 0  # partitions placed on this worker
        self.backlog = 0  # records those partitions had to land when they were placed (when known)
        self.peak_rss_mib = 0.0  # reported when it stops
        self._outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=queued)
        self._writer = threading.Thread(target=self._write, name="landing-worker-pipe", daemon=True)
        self._writer.start()
        self.send(("init", cfg, dedup_window, limits))

    def send(self, message: tuple) -> None:
        if self.failed:
            raise WorkerFailed(self.failed)
        self._outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self) -> None:
        """The writer thread: the queued messages, in order, into the worker's stdin (closed at the end)."""
        pipe = self.process.stdin
        try:
            while (data := self._outbox.get()) is not None:
                view = memoryview(data)
                while view:
                    view = view[pipe.write(view):]
        except OSError as error:
            self.failed = self.failed or f"the landing worker is gone ({error}); exit code {self.process.poll()}"
            while self._outbox.get() is not None:  # unblock senders until the end
                pass
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def read(self) -> tuple:
        """The next reply (blocking), after the handler saw it."""
        try:
            reply = pickle.load(self.replies)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self._fail(f"the landing worker is gone ({error!r}); exit code {self.process.wait()}")
        if reply[0] == "error":
            self._fail(f"the landing worker failed:\n{reply[1]}")
        self.handler(reply)
        return reply

    def _fail(self, why: str):
        self.failed = why
        raise WorkerFailed(why)

    def stop(self) -> None:
        """Ask the worker to exit (after everything sent), or kill it when it is broken."""
        try:
            if not self.failed:
                self.send(("stop",))
                while (reply := self.read())[0] != "stopped":
                    pass
                self.peak_rss_mib = reply[1]
        except WorkerFailed:
            pass
        finally:
            if self.failed:
                self.process.kill()  # its pipe fails: the writer thread stops waiting on it
            self._outbox.put(None)  # the writer thread closes the pipe once everything before is written
            self._writer.join(timeout=30)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.replies.close()


class LandingWorkers:
    """The member's landing worker processes. A partition is placed on a worker the first time it is assigned and
    stays there, so all its chunks and commands go through one ordered pipe: on the worker with the least backlog
    placed on it (records still to land, when the member knows them), then the fewest partitions."""

    def __init__(self, count: int, cfg: Settings, dedup_window: int, limits: BatchLimits, handler):
        self.workers: list[LandingWorker] = []
        try:
            for _ in range(count):
                self.workers.append(LandingWorker(cfg, dedup_window, limits, handler))
        except BaseException:
            self.stop()
            raise
        self.placed: dict[TopicPartition, LandingWorker] = {}
        self._seq = 0

    @property
    def failed(self) -> str | None:
        return next((w.failed for w in self.workers if w.failed), None)

    def ready(self) -> None:
        """Wait until every worker has started (its first reply)."""
        for worker in self.workers:
            if worker.read()[0] != "ready":
                worker.stop()
                raise WorkerFailed("the landing worker did not start")

    def place(self, tp: TopicPartition, backlog: int = 0) -> LandingWorker:
        """The worker of ``tp``; placed now if it has none yet, counting ``backlog`` records against that worker."""
        worker = self.placed.get(tp)
        if worker is None:
            worker = self.placed[tp] = min(self.workers, key=lambda w: (w.backlog, w.partitions))
            worker.partitions += 1
            worker.backlog += backlog
        return worker

    def place_all(self, backlog: dict[TopicPartition, int]) -> None:
        """Place new partitions largest backlog first (then by topic and partition, so the order of an assignment
        does not matter), each on the worker with the least backlog so far."""
        for tp in sorted(backlog, key=lambda tp: (-backlog[tp], tp.topic, tp.partition)):
            self.place(tp, backlog[tp])

    def of(self, tp: TopicPartition) -> LandingWorker:
        return self.place(tp)

    def send(self, tp: TopicPartition, message: tuple) -> None:
        self.of(tp).send(message)

    def request(self, tp: TopicPartition, kind: str, *args) -> int:
        """Send a command about ``tp`` that its worker answers; the command's sequence number."""
        self._seq += 1
        self.of(tp).send((kind, self._seq, *args))
        return self._seq

    def _ready(self, timeout: float | None) -> list[LandingWorker]:
        by_fd = {w.replies.fileno(): w for w in self.workers if not w.failed}
        return [by_fd[fd] for fd in select.select(list(by_fd), [], [], timeout)[0]]

    def drain(self) -> None:
        """Handle the replies that have arrived, without waiting."""
        while ready := self._ready(0):
            for worker in ready:
                worker.read()

    def wait(self, seqs) -> dict[int, tuple]:
        """Block until every command in ``seqs`` was answered (handling other replies on the way)."""
        want, got = set(seqs), {}
        while want:
            if self.failed:
                raise WorkerFailed(self.failed)
            for worker in self._ready(None):
                reply = worker.read()
                if len(reply) > 1 and reply[1] in want:
                    want.discard(reply[1])
                    got[reply[1]] = reply
        return got

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


class _PartitionState:
    """A partition this member owns: where its open batch starts and ends (its records are in the worker)."""

    __slots__ = ("tp", "first", "last", "opened", "since", "fenced")

    def __init__(self, tp: TopicPartition, next_offset: int, since: int):
        self.tp = tp
        self.first = next_offset
        self.last = next_offset - 1
        self.opened = time.monotonic()
        self.since = since  # sequence number of the assign command: older replies are about a former ownership
        self.fenced = False

    @property
    def consumed(self) -> int:
        return self.last - self.first + 1


class Ingestor(ConsumerRebalanceListener):
    """One member of the ingest consumer group: this process polls, ``workers`` landing worker processes (default
    one per core) land, each the partitions placed on it."""

    def __init__(self, sources: list[str], group: str, cfg: Settings | None = None,
                 limits: BatchLimits | None = None, dedup_window: int = 100_000, workers: int | None = None,
                 **consumer_options):
        self.cfg = cfg or settings()
        self.zone = LandingZone(self.cfg)
        self.limits = limits or BatchLimits()
        self.dedup_window = dedup_window
        self.topics = [contracts.topic(s) for s in sources]
        self.stats = IngestStats()
        self.states: dict[TopicPartition, _PartitionState] = {}
        self.stopping = False
        self._landed: dict[TopicPartition, int] = {}  # next offsets landed since the last Kafka offset commit
        self._targets: dict[TopicPartition, int] = {}  # end offsets at start when catching up (run without follow)
        # the workers start while the consumer connects
        self.workers = LandingWorkers(workers or cores(), self.cfg, dedup_window, self.limits,
                                      self._on_reply)
        try:
            self.consumer = KafkaConsumer(bootstrap_servers=self.cfg.bootstrap_servers, group_id=group,
                                          client_id=f"jixiao-ingest-{group}", **{**CONSUMER_OPTIONS, **consumer_options})
            poll_raw_batches(self.consumer)
            self.consumer.subscribe(self.topics, listener=self)
            self.workers.ready()
        except BaseException:
            self.workers.stop()
            raise

    # -- rebalance callbacks (run inside poll) ---------------------------------------------------
    def on_partitions_revoked(self, revoked):
        """Land what was consumed of each revoked partition before the next owner starts: the worker commits
        after the chunks already in the pipe, and the callback returns only once it confirmed.

        Kafka's offsets are not committed here: kafka-python 3 runs this callback inside its network loop,
        where a blocking commit fails the rebalance; they catch up with the next batch.
        """
        seqs = [self._commit(state, release=True) for tp in list(revoked)
                if (state := self.states.pop(tp, None)) is not None]
        self.workers.wait(seqs)

    def on_partitions_lost(self, lost):
        """Evicted from the group: drop the open batches; the new owner re-reads them from Kafka."""
        for tp in list(lost):
            if self.states.pop(tp, None) is not None:
                self.workers.send(tp, ("drop", tp.topic, tp.partition))

    def on_partitions_assigned(self, assigned):
        if not self.stats.joined:
            self.stats.joined = time.monotonic() - self._started
        self._assign([tp for tp in assigned if tp not in self.states])

    def _assign(self, partitions: list[TopicPartition]) -> None:
        """Have the worker recover each partition (after anything still in the pipe); seek to its resume offset.

        Partitions are placed largest backlog first (end offset at start − next offset landed; known when catching
        up, not with ``follow``), each on the worker with the least backlog so far: partitions of unequal size are
        spread by records, not by count (a 2:1 split of three partitions on two workers left one idle for a third of
        a catch-up)."""
        self.workers.place_all({tp: max(0, self._targets.get(tp, 0) - self.zone.next_offset(tp.topic, tp.partition))
                                for tp in partitions})
        seqs = {self.workers.request(tp, "assign", tp.topic, tp.partition): tp for tp in partitions}
        for seq, reply in self.workers.wait(seqs).items():
            tp = seqs[seq]
            self.states[tp] = _PartitionState(tp, reply[4], seq)
            self.consumer.seek(tp, reply[4])

    def _on_reply(self, reply: tuple) -> None:
        kind = reply[0]
        if kind in ("committed", "landed"):  # landed: the worker committed a full batch on its own account
            _, seq, topic, partition, record, per_reason = reply
            stats = self.stats
            stats.consumed += record["last"] - record["first"] + 1
            stats.landed += record["landed"]
            stats.dead += record["dead"]
            stats.duplicates += record["duplicates"]
            stats.commits += 1
            for reason, n in per_reason.items():
                stats.per_reason[reason] = stats.per_reason.get(reason, 0) + n
            tp = TopicPartition(topic, partition)
            self._landed[tp] = record["last"] + 1
            state = self.states.get(tp)
            if kind == "landed" and state is not None and seq == state.since and record["last"] >= state.first:
                state.first = record["last"] + 1
                state.opened = time.monotonic()
        elif kind == "fenced":  # another member committed past us: resume from the landing zone
            _, seq, topic, partition = reply
            self.stats.fenced += 1
            state = self.states.get(TopicPartition(topic, partition))
            if state is not None and seq >= state.since:  # not about a former ownership
                state.fenced = True

    # -- the loop --------------------------------------------------------------------------------
    def run(self, follow: bool = False, progress: bool = True, max_seconds: float | None = None,
            console: Console | None = None) -> IngestStats:
        """Consume until every partition is landed up to its end offset at start (or forever with ``follow``).

        With several members, each stops once the whole group has caught up, so a member that owns
        no partition (more members than partitions) exits too, and a member that dies is covered by
        the others after the rebalance.
        """
        started = self._started = time.monotonic()
        targets = self._targets = {} if follow else self._end_offsets_of_all_partitions()
        shown = checked = 0.0
        with Live(console=console, refresh_per_second=2, transient=False) if progress else _NoLive() as live:
            try:
                while not self.stopping and (max_seconds is None or time.monotonic() - started < max_seconds):
                    t0 = time.monotonic()
                    polled = self.consumer.poll(timeout_ms=200)
                    t1 = time.monotonic()
                    self.stats.polling += t1 - t0
                    for tp, batches in polled.items():
                        state = self.states.get(tp)
                        if state is not None and not state.fenced:
                            self._ship(state, batches)
                    self.workers.drain()
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
                final = None  # the partitions' last positions, shown before they are forgotten
                try:
                    if not self.workers.failed:
                        self.workers.wait([seq for state in list(self.states.values()) if (seq := self._commit(state)) is not None])
                        self._commit_kafka_offsets()
                        if progress:
                            final = self._progress_table(time.monotonic() - started)
                        self.states.clear()
                finally:
                    self.workers.stop()
                    self.stats.worker_peak_rss_mib = max(w.peak_rss_mib for w in self.workers.workers)
                    self.stats.seconds = time.monotonic() - started
                    self.stats.closing = time.monotonic() - closing
                    if progress:
                        live.update(final or self._progress_table(self.stats.seconds))
                    self.consumer.close(autocommit=False)
        return self.stats

    def stop(self) -> None:
        """Ask the loop to land its open batches and leave the group (safe from a signal handler)."""
        self.stopping = True

    def _ship(self, state: _PartitionState, batches) -> None:
        """Send a partition's newly polled record batches (``records.RawBatch``) to the worker as they came."""
        expected = state.last + 1
        wanted = [(max(b.start, expected), b.offset, b.data) for b in batches if b.offset >= expected]
        if not wanted:
            return  # fetched before a seek
        if state.consumed == 0:
            state.opened = time.monotonic()
        tp = state.tp
        t0 = time.monotonic()
        self.workers.send(tp, ("chunk", tp.topic, tp.partition, wanted))
        self.stats.blocked += time.monotonic() - t0
        state.last = wanted[-1][1]

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
        """Commit batches open for too long (the worker commits full ones itself)."""
        now = time.monotonic()
        for state in list(self.states.values()):
            if state.consumed and now - state.opened >= self.limits.seconds:
                self._commit(state)

    def _commit(self, state: _PartitionState, release: bool = False) -> int | None:
        """Ask the worker to land the partition's batch (``release``: and forget the partition); the request's
        sequence number, None when there was nothing to ask."""
        if state.consumed == 0 and not release:
            return None
        tp = state.tp
        seq = self.workers.request(tp, "commit", tp.topic, tp.partition, release)
        state.first = state.last + 1
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
