"""The Parquet landing zone and dead-letter store; the source of truth for consumed offsets.

Layout under the landing dir::

    source=<source>/dt=<YYYY-MM-DD>/<topic>+<partition>+<first>+<last>.parquet   landed events (committed)
    _commits/<topic>/<partition>/<first>+<last>.json                               commit markers

and under the dead-letter dir ``<topic>/<topic>+<partition>+<first>+<last>.parquet``. A batch of one
partition covers the offsets [first, last]. Readers (dbt, the ledger, status) see **committed files only**:

1. the batch's data and dead-letter files are written under hidden *pending* names
   (``.<stem>.parquet.pending``), fsynced, and their folders fsynced (a new ``dt=`` folder in its parent too);
2. the commit marker is written atomically — this is the commit point;
3. the pending files are renamed to their visible names (roll-forward).

A crash before (2) leaves pending files without a marker: recovery deletes them. A crash after (2) leaves
committed pending files: recovery renames them (roll-forward). A visible name therefore always holds committed
rows, and a build that overlaps a crash or a recovery never reads rows that are later deleted.

Compaction (:meth:`LandingZone.compact`) merges a run of consecutive committed batches of one partition into
one file per business date and one marker covering the run, the same way: compacted files pending → a covering
marker (commit point) → rename the compacted files, delete the parts, delete the covered markers. Recovery
understands every intermediate state: without the covering marker the pending compacted files are deleted;
with it the compaction is rolled forward. Between the rename and the deletes a reader may see a row twice
(compacted file and part, same offset): readers deduplicate on ``event_id``/offset, and nothing is ever missing.

Commits, recovery and compaction of one partition hold an exclusive ``flock`` on
``_commits/<topic>/<partition>/.lock``: the fence check (does this batch start at the committed
offset?) and the writes are one critical section, so a stale owner that lost the partition in a
rebalance can neither write past the new owner nor have its half-written files deleted under it.
The kernel releases the lock when a process dies, so a kill -9 never leaves it held.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import signal
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate, chain
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jixiao.runtime.config import Settings
from jixiao.runtime.files import fsync_folder, make_folder

OFFSET_DIGITS = 20
_NAME = re.compile(r"^(?P<topic>[A-Za-z0-9._-]+)\+(?P<partition>\d+)\+(?P<first>\d+)\+(?P<last>\d+)\.(parquet|json)$")
PENDING = ".pending"
"""Suffix of a data or dead-letter file written but not yet committed (hidden: ``.<stem>.parquet.pending``)."""

LANDING_SCHEMA = pa.schema([
    ("event_id", pa.string()),
    ("event_type", pa.string()),
    ("occurred_at", pa.timestamp("us", tz="UTC")),
    ("dept_code", pa.string()),
    ("schema_version", pa.int16()),
    ("payload", pa.string()),
    ("person_keys", pa.list_(pa.string())),
    ("kafka_topic", pa.string()),
    ("kafka_partition", pa.int32()),
    ("kafka_offset", pa.int64()),
    ("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
    ("ingested_at", pa.timestamp("us", tz="UTC")),
    ("content_hash", pa.int64()),
])
"""``content_hash``: a checksum of the event as landed (see ``ingestors.worker``), so that the dedup window,
rebuilt from here after a restart, tells a plain re-send from a conflicting one."""
DEAD_LETTER_SCHEMA = pa.schema([
    ("kafka_topic", pa.string()),
    ("kafka_partition", pa.int32()),
    ("kafka_offset", pa.int64()),
    ("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
    ("key", pa.binary()),
    ("raw_value", pa.binary()),
    ("reason", pa.string()),
    ("detail", pa.string()),
    ("ingested_at", pa.timestamp("us", tz="UTC")),
])


def file_stem(topic: str, partition: int, first: int, last: int) -> str:
    return f"{topic}+{partition}+{first:0{OFFSET_DIGITS}d}+{last:0{OFFSET_DIGITS}d}"


def parse_name(name: str) -> tuple[str, int, int, int] | None:
    """(topic, partition, first, last) of a landing, dead-letter or commit file name (visible or pending)."""
    if name.startswith(".") and name.endswith(PENDING):
        name = name[1:-len(PENDING)]
    match = _NAME.match(name)
    if not match:
        return None
    return match["topic"], int(match["partition"]), int(match["first"]), int(match["last"])


def pending_path(visible: Path) -> Path:
    return visible.with_name(f".{visible.name}{PENDING}")


def visible_path(pending: Path) -> Path:
    return pending.with_name(pending.name[1:-len(PENDING)])


def _write_durably(path: Path, write) -> None:
    """Write through ``write(file)`` to ``path`` and fsync the file (not yet its folder)."""
    make_folder(path.parent)
    with open(path, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _write_atomically(path: Path, write) -> None:
    """Write to a temporary name, fsync, rename into place, fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    _write_durably(tmp, write)
    os.replace(tmp, path)
    fsync_folder(path.parent)


def _write_parquet(table: pa.Table, handle, dictionary: list[str] | bool = True) -> None:
    pq.write_table(table, handle, compression="zstd", use_dictionary=dictionary)


@dataclass
class BatchLimits:
    """When a partition's open batch is committed, and so how much a landing worker holds.

    The landing worker commits a batch on its own account when it reaches ``records`` or ``nbytes`` (its
    columns in Arrow), and the largest batches while all of them together exceed ``pending_bytes``; the
    consumer commits batches open for ``seconds``. With the dedup window and the step size of the worker
    these bound the worker's memory, whatever the backlog."""

    records: int = 50_000
    nbytes: int = 8 * 1024 * 1024
    seconds: float = 5.0
    pending_bytes: int = 32 * 1024 * 1024


@dataclass
class PartitionBatch:
    """Everything consumed from one partition since its last commit, in offset order.

    Rows are appended to the Python lists of ``landed`` (and ``business_dates``); :meth:`seal` moves them into an
    Arrow table in ``parts``, so a long batch is held as compact columns rather than as Python objects."""

    topic: str
    partition: int
    source: str
    first: int
    last: int = -1
    landed: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in _ROW_SCHEMA})
    business_dates: list[str] = field(default_factory=list)
    dead: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in DEAD_LETTER_SCHEMA})
    duplicates: int = 0
    parts: list[pa.Table] = field(default_factory=list)
    sealed_rows: int = 0
    sealed_bytes: int = 0

    @property
    def consumed(self) -> int:
        return self.last - self.first + 1 if self.last >= self.first else 0

    @property
    def landed_count(self) -> int:
        return self.sealed_rows + len(self.business_dates)

    @property
    def dead_count(self) -> int:
        return len(self.dead["kafka_offset"])

    @property
    def nbytes(self) -> int:
        """Bytes held: the sealed Arrow columns plus the raw values of the dead letters."""
        return self.sealed_bytes + sum(len(v) for v in self.dead["raw_value"] if v)

    def seal(self) -> None:
        """Move the rows appended since the last seal into an Arrow table (with a ``business_date`` column)."""
        if not self.business_dates:
            return
        part = _rows_table(self.landed, self.business_dates)
        self.parts.append(part)
        self.sealed_rows += part.num_rows
        self.sealed_bytes += part.nbytes
        self.landed = {name: [] for name in self.landed}
        self.business_dates = []


_ROW_SCHEMA = pa.schema([f for f in LANDING_SCHEMA if f.name != "ingested_at"])
"""A landed row as the worker builds it; ``ingested_at`` is the commit's time."""


def _rows_table(columns: dict[str, list], business_dates: list[str]) -> pa.Table:
    """Rows as a _ROW_SCHEMA table plus ``business_date``; ISO-8601 ``occurred_at`` strings are parsed by Arrow,
    constant columns are repeated scalars, ``person_keys`` is built from its flat values and offsets."""
    n = len(business_dates)
    arrays = []
    for column in _ROW_SCHEMA:
        name = column.name
        values = columns.get(name)
        if name == "occurred_at" and values and isinstance(values[0], str):
            arrays.append(_parse_instants(values, column.type))
        elif name == "person_keys":
            offsets = pa.array([0, *accumulate(map(len, values))], pa.int32())
            flat = pa.array(list(chain.from_iterable(values)), pa.string())
            arrays.append(pa.ListArray.from_arrays(offsets, flat, type=column.type))
        elif name in _CONSTANT_COLUMNS and values and values.count(values[0]) == n:
            arrays.append(pa.repeat(pa.scalar(values[0], column.type), n))
        else:
            arrays.append(pa.array(values, column.type))
    arrays.append(pa.array(business_dates, pa.string()))
    return pa.Table.from_arrays(arrays, schema=_ROW_SCHEMA.append(pa.field("business_date", pa.string())))


def _landing_table(batch: PartitionBatch, now: datetime) -> tuple[pa.Table, pa.ChunkedArray]:
    """The batch's landed rows as a LANDING_SCHEMA table, and their business dates."""
    batch.seal()
    rows = pa.concat_tables(batch.parts)
    table = rows.drop_columns(["business_date"]).append_column(
        LANDING_SCHEMA.field("ingested_at"), pa.repeat(pa.scalar(now, LANDING_SCHEMA.field("ingested_at").type),
                                                       rows.num_rows))
    return table.select(LANDING_SCHEMA.names), rows.column("business_date")


_CONSTANT_COLUMNS = frozenset({"kafka_topic", "kafka_partition", "schema_version"})
_DICTIONARY_COLUMNS = ["event_type", "dept_code", "kafka_topic", "kafka_partition", "schema_version"]
"""Low-cardinality columns; ids, payloads and instants are unique, dictionary-encoding them is wasted work."""


def _parse_instants(values: list[str], type_: pa.DataType) -> pa.Array:
    """ISO-8601 strings as UTC timestamps: vectorised by Arrow, per value by Python for what Arrow refuses
    (e.g. more than six fractional digits)."""
    try:
        return pa.array(values, pa.string()).cast(type_)
    except pa.ArrowInvalid:
        return pa.array([datetime.fromisoformat(v) for v in values], type_)


@dataclass(frozen=True)
class CommitRecord:
    topic: str
    partition: int
    first: int
    last: int
    landed: int
    dead: int
    duplicates: int
    committed_at: str


@dataclass(frozen=True)
class CompactionResult:
    topic: str
    partition: int
    runs: int  # runs of batches merged
    markers_before: int
    markers_after: int
    files_before: int
    files_after: int


CRASH_POINT_ENV = "JX_LANDING_CRASH_POINT"
"""Fault injection for the crash tests: the process SIGKILLs itself when it reaches the named point."""


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _covers(outer: tuple[int, int], inner: tuple[int, int]) -> bool:
    return outer != inner and outer[0] <= inner[0] and inner[1] <= outer[1]


class LandingZone:
    """Reads and writes the landing zone of one platform instance."""

    def __init__(self, cfg: Settings):
        self.root = cfg.landing_dir
        self.dead_root = cfg.dead_letter_dir
        self.commit_root = self.root / "_commits"

    # -- reading -----------------------------------------------------------------------------------
    def _commit_dir(self, topic: str, partition: int) -> Path:
        return self.commit_root / topic / str(partition)

    def _marker_ranges(self, topic: str, partition: int) -> list[tuple[int, int]]:
        try:
            names = os.listdir(self._commit_dir(topic, partition))
        except FileNotFoundError:
            return []
        return sorted((parsed[2], parsed[3]) for name in names
                      if name.endswith(".json") and not name.startswith(".") and (parsed := parse_name(name)))

    def commits(self, topic: str | None = None, partition: int | None = None) -> list[CommitRecord]:
        """All commit markers (optionally of one topic/partition) in offset order; markers covered by a
        compaction's marker (an interrupted compaction) are left out, so counts are never doubled."""
        pattern = f"{topic or '*'}/{'*' if partition is None else partition}/*.json"
        records = [CommitRecord(**json.loads(p.read_text(encoding="utf-8")))
                   for p in self.commit_root.glob(pattern) if not p.name.startswith(".")]
        by_partition: dict[tuple[str, int], list[CommitRecord]] = {}
        for record in records:
            by_partition.setdefault((record.topic, record.partition), []).append(record)
        kept = [r for group in by_partition.values() for r in group
                if not any(_covers((o.first, o.last), (r.first, r.last)) for o in group)]
        return sorted(kept, key=lambda r: (r.topic, r.partition, r.first))

    def partitions(self) -> list[tuple[str, int]]:
        """(topic, partition) of every partition with a commit folder."""
        return sorted((folder.parent.name, int(folder.name)) for folder in self.commit_root.glob("*/*")
                      if folder.is_dir() and folder.name.isdigit())

    def next_offset(self, topic: str, partition: int) -> int:
        """The first offset not yet committed for a partition (0 when nothing landed)."""
        return max((last for _, last in self._marker_ranges(topic, partition)), default=-1) + 1

    def read_bounds(self) -> dict[tuple[str, int], int]:
        """(topic, partition) → the highest offset up to which every committed batch is visible, for every
        partition with a commit: what a build may read, so that each of its readers reads the same rows.

        The markers are listed before the pending files: a batch committed by then is either renamed already
        (visible) or still has a pending file (its partition bounded below its first offset, as for a batch
        committed before a crash and not rolled forward yet); a file never goes back from visible to pending. A
        compaction's pending files hide nothing: its parts stay visible until the compacted files are."""
        ranges = {key: self._marker_ranges(*key) for key in self.partitions()}
        pending = [parsed for path in chain(self.root.glob(f"source=*/dt=*/.*{PENDING}"),
                                            self.dead_root.glob(f"*/.*{PENDING}"))
                   if (parsed := parse_name(path.name)) is not None]
        bounds = {}
        for (topic, partition), committed in ranges.items():
            if not committed:
                continue
            batches = {r for r in committed if not any(_covers(r, other) for other in committed)}
            hidden = [first for t, p, first, last in pending if (t, p) == (topic, partition) and (first, last) in batches]
            bounds[topic, partition] = min(hidden) - 1 if hidden else max(last for _, last in committed)
        return bounds

    def data_files(self, source: str | None = None) -> list[Path]:
        """The visible (committed) landing files, optionally of one source."""
        return sorted(self.root.glob(f"source={source or '*'}/dt=*/*.parquet"))

    def dead_letter_files(self) -> list[Path]:
        """The visible (committed) dead-letter files."""
        return sorted(self.dead_root.glob("*/*.parquet"))

    @contextmanager
    def _locked(self, topic: str, partition: int):
        """Hold the partition's commit lock (released by the kernel if this process dies)."""
        folder = self._commit_dir(topic, partition)
        make_folder(folder)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _partition_files(self, topic: str, partition: int) -> list[Path]:
        """Every data and dead-letter file of a partition: visible, pending and temporary."""
        source = topic.split(".")[2]
        prefix = f"{topic}+{partition}+"
        folders = [*self.root.glob(f"source={source}/dt=*"), self.dead_root / topic]
        return [p for folder in folders for pattern in (f"{prefix}*", f".{prefix}*")
                for p in folder.glob(pattern) if p.is_file()]

    def recent_events(self, topic: str, partition: int, limit: int) -> list[tuple[str, int, int]]:
        """(event_id, content_hash, offset) of the last ``limit`` landed events of a partition, oldest first:
        the dedup window after a restart keeps the newest events, like the running worker does."""
        files = sorted((p for p in self._partition_files(topic, partition)
                        if p.name.endswith(".parquet") and not p.name.startswith(".") and p.is_relative_to(self.root)),
                       key=lambda p: parse_name(p.name)[2], reverse=True)
        by_offset: dict[int, tuple[str, int]] = {}
        boundary = None  # the batch at which the window filled: its other business-date files are read too
        for path in files:
            first = parse_name(path.name)[2]
            if boundary is not None and first < boundary:
                break
            names = pq.read_schema(path).names
            table = pq.read_table(path, columns=[c for c in ("event_id", "content_hash", "kafka_offset") if c in names])
            hashes = (table.column("content_hash").to_pylist() if "content_hash" in table.column_names
                      else [None] * table.num_rows)  # landed before content hashes existed
            by_offset.update(zip(table.column("kafka_offset").to_pylist(),
                                 zip(table.column("event_id").to_pylist(), hashes)))
            if boundary is None and len(by_offset) >= limit:
                boundary = first
        newest = sorted(by_offset)[-limit:] if limit else []
        return [(*by_offset[offset], offset) for offset in newest]

    # -- committing ----------------------------------------------------------------------------------
    def commit(self, batch: PartitionBatch) -> CommitRecord | None:
        """Write a batch's files then its commit marker; None (nothing written) when another owner moved on."""
        if batch.consumed == 0:
            return None
        with self._locked(batch.topic, batch.partition):
            if self.next_offset(batch.topic, batch.partition) != batch.first:
                return None  # fenced: the partition was committed past us by its new owner
            return self._write(batch)

    def _write(self, batch: PartitionBatch) -> CommitRecord:
        stem = file_stem(batch.topic, batch.partition, batch.first, batch.last)
        now = datetime.now(timezone.utc)
        pending: list[Path] = []
        if batch.landed_count:
            table, dates = _landing_table(batch, now)
            days = pc.unique(dates).to_pylist()
            for dt in sorted(days):
                part = table if len(days) == 1 else table.filter(pc.equal(dates, dt))
                path = pending_path(self.root / f"source={batch.source}" / f"dt={dt}" / f"{stem}.parquet")
                _write_durably(path, lambda f, t=part: _write_parquet(t, f, _DICTIONARY_COLUMNS))
                pending.append(path)
        if batch.dead_count:
            batch.dead["ingested_at"] = [now] * batch.dead_count
            dead = pa.Table.from_pydict(batch.dead, schema=DEAD_LETTER_SCHEMA)
            path = pending_path(self.dead_root / batch.topic / f"{stem}.parquet")
            _write_durably(path, lambda f: _write_parquet(dead, f))
            pending.append(path)
        for folder in {p.parent for p in pending}:
            fsync_folder(folder)
        _crash_point("commit:before-marker")
        record = CommitRecord(batch.topic, batch.partition, batch.first, batch.last, batch.landed_count,
                              batch.dead_count, batch.duplicates, now.isoformat())
        self._write_marker(record)
        _crash_point("commit:after-marker")
        for i, path in enumerate(pending):
            os.replace(path, visible_path(path))
            if i == 0:
                _crash_point("commit:after-first-rename")
        return record

    def _write_marker(self, record: CommitRecord) -> None:
        stem = file_stem(record.topic, record.partition, record.first, record.last)
        marker = self._commit_dir(record.topic, record.partition) / f"{stem}.json"
        _write_atomically(marker, lambda f: f.write(json.dumps(record.__dict__).encode()))

    # -- recovery ------------------------------------------------------------------------------------
    def recover(self, topic: str, partition: int) -> int:
        """Repair a crashed commit or compaction (delete what was not committed, roll forward what was);
        return the resume offset."""
        with self._locked(topic, partition):
            return self._recover(topic, partition)

    def _recover(self, topic: str, partition: int) -> int:
        for tmp in self._commit_dir(topic, partition).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        ranges = self._marker_ranges(topic, partition)
        committed = set(ranges)
        resume = max((last for _, last in ranges), default=-1) + 1
        files = self._partition_files(topic, partition)
        renamed = set()
        for path in files:
            parsed = parse_name(path.name)
            if path.name.endswith(".tmp") or parsed is None or parsed[2] >= resume:
                path.unlink(missing_ok=True)  # never committed
            elif path.name.endswith(PENDING):
                if (parsed[2], parsed[3]) in committed:
                    os.replace(path, visible_path(path))  # committed: roll forward
                    renamed.add(path.parent)
                else:
                    path.unlink(missing_ok=True)
        for folder in renamed:
            fsync_folder(folder)
        covering = [r for r in ranges if any(_covers(r, other) for other in ranges)]
        if covering:
            self._finish_compaction(topic, partition, covering, ranges)
        return resume

    def _finish_compaction(self, topic: str, partition: int, covering: list[tuple[int, int]],
                           ranges: list[tuple[int, int]]) -> None:
        """The compacted files are visible: delete the parts they replace, then the markers they cover."""
        for path in self._partition_files(topic, partition):
            parsed = parse_name(path.name)
            if parsed and not path.name.startswith(".") and any(_covers(r, parsed[2:]) for r in covering):
                path.unlink(missing_ok=True)
        _crash_point("compact:after-parts-deleted")
        folder = self._commit_dir(topic, partition)
        for first, last in ranges:
            if any(_covers(r, (first, last)) for r in covering):
                (folder / f"{file_stem(topic, partition, first, last)}.json").unlink(missing_ok=True)
        fsync_folder(folder)

    # -- compaction ----------------------------------------------------------------------------------
    def compact(self, topic: str, partition: int, max_rows: int = 1_000_000) -> CompactionResult:
        """Merge runs of consecutive committed batches (up to ``max_rows`` landed rows per run) into one file per
        business date and one marker per run; crash-safe at every step (see the module docstring)."""
        with self._locked(topic, partition):
            self._recover(topic, partition)
            markers_before = self.commits(topic, partition)
            files_before = len(self._partition_files(topic, partition))
            runs = self._runs(markers_before, max_rows)
            for run in runs:
                self._compact_run(topic, partition, run)
            return CompactionResult(topic, partition, len(runs), len(markers_before),
                                    len(self.commits(topic, partition)), files_before,
                                    len(self._partition_files(topic, partition)))

    @staticmethod
    def _runs(records: list[CommitRecord], max_rows: int) -> list[list[CommitRecord]]:
        """Consecutive markers grouped greedily while their landed rows fit in ``max_rows``; runs of one dropped."""
        runs, current = [], []
        for record in records:
            if current and current[-1].last + 1 == record.first and \
                    sum(r.landed for r in current) + record.landed <= max_rows:
                current.append(record)
            else:
                runs.append(current)
                current = [record]
        runs.append(current)
        return [run for run in runs if len(run) > 1]

    def _compact_run(self, topic: str, partition: int, run: list[CommitRecord]) -> None:
        first, last = run[0].first, run[-1].last
        stem = file_stem(topic, partition, first, last)
        parts: dict[Path, list[Path]] = {}
        for path in self._partition_files(topic, partition):
            parsed = parse_name(path.name)
            if parsed and not path.name.startswith(".") and first <= parsed[2] and parsed[3] <= last:
                parts.setdefault(path.parent, []).append(path)
        written = []
        for folder, files in parts.items():
            table = pa.concat_tables([pq.read_table(f) for f in sorted(files)]).sort_by("kafka_offset")
            dictionary = _DICTIONARY_COLUMNS if folder.is_relative_to(self.root) else True
            target = pending_path(folder / f"{stem}.parquet")
            _write_durably(target, lambda f, t=table: _write_parquet(t, f, dictionary))
            written.append(target)
        for folder in parts:
            fsync_folder(folder)
        _crash_point("compact:before-marker")
        self._write_marker(CommitRecord(topic, partition, first, last, sum(r.landed for r in run),
                                        sum(r.dead for r in run), sum(r.duplicates for r in run),
                                        run[-1].committed_at))
        _crash_point("compact:after-marker")
        for i, path in enumerate(written):
            os.replace(path, visible_path(path))
            if i == 0:
                _crash_point("compact:after-first-rename")
        for folder in parts:
            fsync_folder(folder)
        ranges = self._marker_ranges(topic, partition)
        self._finish_compaction(topic, partition, [(first, last)], ranges)
