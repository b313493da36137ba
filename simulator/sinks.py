"""Where simulated events go: Kafka topics (default) or JSON-lines files, one per source.

A sink takes messages in emission order: ``write_many(sources, keys, values, instants)``, then ``close()``;
``instants`` are the simulated emission times (epoch seconds), which the Kafka sink uses as the record
timestamps — a source system sends an event when it happens (or, for planted late events, weeks later).
"""
from __future__ import annotations

from pathlib import Path

from jixiao import contracts
from jixiao.runtime import kafka_client
from jixiao.runtime.config import Settings


class KafkaSink:
    """Produces to ``jx.src.<source>.v1`` with key = dept_code (idempotent, batched, compressed)."""

    def __init__(self, cfg: Settings, partitions: int = kafka_client.DEFAULT_PARTITIONS):
        kafka_client.ensure_topics([contracts.topic(s) for s in contracts.SOURCES], partitions, cfg)
        self._producer = kafka_client.producer(cfg)

    def write_many(self, sources: list[str], keys: list[bytes], values: list[bytes],
                   instants: list[int] | None = None) -> None:
        send, topics = self._producer.send, {s: contracts.topic(s) for s in set(sources)}
        if instants is None:
            for source, key, value in zip(sources, keys, values):
                send(topics[source], key=key, value=value)
            return
        for source, key, value, instant in zip(sources, keys, values, instants):
            send(topics[source], key=key, value=value, timestamp_ms=instant * 1000)

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


CHUNK = 50_000
"""Lines joined per file write: bounds the extra memory of writing a large month."""


class JsonlSink:
    """Appends each raw message value plus a newline to ``<dir>/<topic>.jsonl``."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self._dir = directory
        self._files: dict[str, object] = {}

    def write_many(self, sources: list[str], keys: list[bytes], values: list[bytes],
                   instants: list[int] | None = None) -> None:
        by_source: dict[str, list[bytes]] = {}
        for source, value in zip(sources, values):
            by_source.setdefault(source, []).append(value)
        for source, lines in by_source.items():
            handle = self._files.get(source)
            if handle is None:
                handle = self._files[source] = open(self._dir / f"{contracts.topic(source)}.jsonl", "wb")
            for start in range(0, len(lines), CHUNK):
                handle.write(b"\n".join(lines[start:start + CHUNK]) + b"\n")

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
