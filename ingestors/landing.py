"""The Parquet landing zone and dead-letter store; the source of truth for consumed offsets.

Layout under the landing dir::

    source=<source>/dt=<YYYY-MM-DD>/<topic>+<partition>+<first>+<last>.parquet   landed events
    _commits/<topic>/<partition>/<first>+<last>.json                               batch commit markers

and under the dead-letter dir ``<topic>/<topic>+<partition>+<first>+<last>.parquet``. A batch of one
partition covers the offsets [first, last]; its data and dead-letter files are written under
temporary names, flushed and renamed, then its commit marker is written the same way. Files beyond
the last commit marker are leftovers of a crash and are deleted before the partition is consumed
again, so every offset is accounted for exactly once.

Commits and recovery of one partition hold an exclusive ``flock`` on
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate, chain
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jixiao.runtime.config import Settings

OFFSET_DIGITS = 20
_NAME = re.compile(r"^(?P<topic>[A-Za-z0-9._-]+)\+(?P<partition>\d+)\+(?P<first>\d+)\+(?P<last>\d+)\.(parquet|json)$")

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
])
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
    """(topic, partition, first, last) of a landing, dead-letter or commit file name."""
    match = _NAME.match(name)
    if not match:
        return None
    return match["topic"], int(match["partition"]), int(match["first"]), int(match["last"])


def _write_atomically(path: Path, write) -> None:
    """Write through ``write(file)`` to a temporary name, fsync, rename into place, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@dataclass
class PartitionBatch:
    """Everything consumed from one partition since its last commit, in offset order."""

    topic: str
    partition: int
    source: str
    first: int
    last: int = -1
    landed: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in LANDING_SCHEMA})
    business_dates: list[str] = field(default_factory=list)
    dead: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in DEAD_LETTER_SCHEMA})
    duplicates: int = 0
    nbytes: int = 0

    @property
    def consumed(self) -> int:
        return self.last - self.first + 1 if self.last >= self.first else 0

    @property
    def landed_count(self) -> int:
        return len(self.business_dates)

    @property
    def dead_count(self) -> int:
        return len(self.dead["kafka_offset"])


def _landing_table(batch: PartitionBatch, now: datetime) -> pa.Table:
    """The batch's landed rows as a LANDING_SCHEMA table; ISO-8601 ``occurred_at`` strings are parsed by Arrow,
    constant columns are repeated scalars, ``person_keys`` is built from its flat values and offsets."""
    columns = batch.landed
    n = batch.landed_count
    arrays = []
    for column in LANDING_SCHEMA:
        name = column.name
        values = columns.get(name)
        if name == "ingested_at":
            arrays.append(pa.repeat(pa.scalar(now, column.type), n))
        elif name == "occurred_at" and values and isinstance(values[0], str):
            arrays.append(_parse_instants(values, column.type))
        elif name == "person_keys":
            offsets = pa.array([0, *accumulate(map(len, values))], pa.int32())
            flat = pa.array(list(chain.from_iterable(values)), pa.string())
            arrays.append(pa.ListArray.from_arrays(offsets, flat, type=column.type))
        elif name in _CONSTANT_COLUMNS and values and values.count(values[0]) == n:
            arrays.append(pa.repeat(pa.scalar(values[0], column.type), n))
        else:
            arrays.append(pa.array(values, column.type))
    return pa.Table.from_arrays(arrays, schema=LANDING_SCHEMA)


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


class LandingZone:
    """Reads and writes the landing zone of one platform instance."""

    def __init__(self, cfg: Settings):
        self.root = cfg.landing_dir
        self.dead_root = cfg.dead_letter_dir
        self.commit_root = self.root / "_commits"

    def _commit_dir(self, topic: str, partition: int) -> Path:
        return self.commit_root / topic / str(partition)

    def commits(self, topic: str | None = None, partition: int | None = None) -> list[CommitRecord]:
        """All commit markers (optionally of one topic/partition), in offset order."""
        pattern = f"{topic or '*'}/{'*' if partition is None else partition}/*.json"
        records = [CommitRecord(**json.loads(p.read_text(encoding="utf-8")))
                   for p in self.commit_root.glob(pattern)]
        return sorted(records, key=lambda r: (r.topic, r.partition, r.first))

    def next_offset(self, topic: str, partition: int) -> int:
        """The first offset not yet committed for a partition (0 when nothing landed)."""
        try:
            names = os.listdir(self._commit_dir(topic, partition))
        except FileNotFoundError:
            return 0
        lasts = [parsed[3] for name in names if name.endswith(".json") and (parsed := parse_name(name))]
        return max(lasts, default=-1) + 1

    @contextmanager
    def _locked(self, topic: str, partition: int):
        """Hold the partition's commit lock (released by the kernel if this process dies)."""
        folder = self._commit_dir(topic, partition)
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _partition_files(self, topic: str, partition: int) -> list[Path]:
        source = topic.split(".")[2]
        prefix = f"{topic}+{partition}+"
        return ([p for p in self.root.glob(f"source={source}/dt=*/{prefix}*") if p.is_file()]
                + [p for p in (self.dead_root / topic).glob(f"{prefix}*") if p.is_file()]
                + [p for p in self.root.glob(f"source={source}/dt=*/.{prefix}*.tmp")]
                + [p for p in (self.dead_root / topic).glob(f".{prefix}*.tmp")])

    def recover(self, topic: str, partition: int) -> int:
        """Delete a crashed batch's leftovers (temp files, files past the last commit); return the resume offset."""
        with self._locked(topic, partition):
            resume = self.next_offset(topic, partition)
            for path in self._partition_files(topic, partition):
                parsed = parse_name(path.name)
                if path.name.endswith(".tmp") or parsed is None or parsed[2] >= resume:
                    path.unlink(missing_ok=True)
            for tmp in self._commit_dir(topic, partition).glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
            return resume

    def recent_event_ids(self, topic: str, partition: int, limit: int) -> list[str]:
        """Event ids of the newest landed files of a partition, up to about ``limit`` (dedup window)."""
        files = sorted((p for p in self._partition_files(topic, partition)
                        if p.suffix == ".parquet" and p.is_relative_to(self.root)),
                       key=lambda p: parse_name(p.name)[2], reverse=True)
        ids: list[str] = []
        for path in files:
            if len(ids) >= limit:
                break
            ids.extend(pq.read_table(path, columns=["event_id"]).column(0).to_pylist())
        return ids

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
        if batch.landed_count:
            table = _landing_table(batch, now)
            days = sorted(set(batch.business_dates))
            dates = pa.array(batch.business_dates) if len(days) > 1 else None
            for dt in days:
                part = table if dates is None else table.filter(pc.equal(dates, dt))
                path = self.root / f"source={batch.source}" / f"dt={dt}" / f"{stem}.parquet"
                _write_atomically(path, lambda f, t=part: pq.write_table(t, f, compression="zstd",
                                                                          use_dictionary=_DICTIONARY_COLUMNS))
        if batch.dead_count:
            batch.dead["ingested_at"] = [now] * batch.dead_count
            dead = pa.Table.from_pydict(batch.dead, schema=DEAD_LETTER_SCHEMA)
            _write_atomically(self.dead_root / batch.topic / f"{stem}.parquet",
                              lambda f: pq.write_table(dead, f, compression="zstd"))
        record = CommitRecord(batch.topic, batch.partition, batch.first, batch.last, batch.landed_count,
                              batch.dead_count, batch.duplicates, now.isoformat())
        marker = self._commit_dir(batch.topic, batch.partition) / f"{stem}.json"
        _write_atomically(marker, lambda f: f.write(json.dumps(record.__dict__).encode()))
        return record
