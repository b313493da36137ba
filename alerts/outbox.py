"""The delivery outbox: which message reached which sink, kept outside the rebuildable warehouse.

``$JX_HOME/alerts/outbox.sqlite3`` (SQLite, WAL, one transaction per change). A message is enqueued once per
key and stream — a later build raising the same ``alert_key`` adds nothing — and is marked delivered per
sink as soon as that sink confirmed it, so a retry sends only what some sink still lacks, and only to that
sink. A sink switched on later starts from the messages enqueued after it was first used (no back-fill
flood). The warehouse can be rebuilt or deleted; this file is the memory of what was sent.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
create table if not exists message (
    stream text not null, key text not null, payload text not null, enqueued_at text not null,
    primary key (stream, key));
create table if not exists delivery (
    stream text not null, key text not null, sink text not null, delivered_at text not null,
    primary key (stream, key, sink));
create table if not exists sink (
    stream text not null, sink text not null, since text not null, primary key (stream, sink));
create table if not exists failure (
    stream text not null, sink text not null, failed_at text not null, pending integer not null, error text not null);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Outbox:
    """The delivery state of one platform instance."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as con:
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)

    @contextmanager
    def _transaction(self):
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.execute("pragma synchronous = full")
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")

    def register_sinks(self, stream: str, sinks: list[str]) -> None:
        """Remember when each sink was first used for a stream (call before enqueueing that run's messages)."""
        now = _now()
        with self._transaction() as con:
            con.executemany("insert or ignore into sink values (?, ?, ?)", [(stream, sink, now) for sink in sinks])

    def enqueue(self, stream: str, messages: list[dict]) -> int:
        """Add messages not seen before (by ``alert_key``); return how many were new."""
        now = _now()
        rows = [(stream, m["alert_key"], json.dumps(m, ensure_ascii=False, sort_keys=True), now) for m in messages]
        with self._transaction() as con:
            before = con.total_changes
            con.executemany("insert or ignore into message values (?, ?, ?, ?)", rows)
            return con.total_changes - before

    def pending(self, stream: str, sink: str) -> list[dict]:
        """Messages of a stream the (registered) sink has not confirmed, oldest first."""
        with self._transaction() as con:
            rows = con.execute(
                "select m.payload from message m join sink s on s.stream = m.stream and s.sink = ? "
                "left join delivery d on d.stream = m.stream and d.key = m.key and d.sink = ? "
                "where m.stream = ? and d.key is null and m.enqueued_at >= s.since "
                "order by m.enqueued_at, m.key", (sink, sink, stream)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def mark_delivered(self, stream: str, sink: str, keys: list[str]) -> None:
        now = _now()
        with self._transaction() as con:
            con.executemany("insert or ignore into delivery values (?, ?, ?, ?)",
                            [(stream, key, sink, now) for key in keys])

    def record_failure(self, stream: str, sink: str, pending: int, error: str) -> None:
        with self._transaction() as con:
            con.execute("insert into failure values (?, ?, ?, ?, ?)", (stream, sink, _now(), pending, error))

    def status(self) -> list[dict]:
        """Per stream and sink: messages, delivered, the last failure (if any)."""
        with self._transaction() as con:
            rows = con.execute("""
                select s.stream, s.sink,
                       (select count(*) from message m where m.stream = s.stream and m.enqueued_at >= s.since),
                       (select count(*) from delivery d where d.stream = s.stream and d.sink = s.sink),
                       (select max(delivered_at) from delivery d where d.stream = s.stream and d.sink = s.sink),
                       (select failed_at || ' ' || error from failure f where f.stream = s.stream and f.sink = s.sink
                        order by failed_at desc limit 1)
                from sink s order by s.stream, s.sink""").fetchall()
        return [dict(zip(("stream", "sink", "messages", "delivered", "last_delivered_at", "last_failure"), row))
                for row in rows]
