"""Where simulated events go: Kafka topics (default) or JSON-lines files, one per source.

A sink takes messages in emission order: ``write_many(sources, keys, values, instants)``, then ``close()``;
``instants`` are the simulated emission times (epoch seconds), which the Kafka sink uses as the record
timestamps — a source system sends an event when it happens (or, for planted late events, weeks later).

The Kafka sink produces from several processes (``python -m jixiao.simulator.sinks``, one kafka-python producer
each): kafka-python spends ≈ 20 µs of Python per record sent, so one process tops out near 30k records/s. Each
record's partition is chosen here as the producers' default partitioner would (murmur2 of the key, the dept_code),
and each partition belongs to one producer process, so the records of a partition keep their order.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from jixiao import contracts
from jixiao.runtime import kafka_client
from jixiao.runtime.config import Settings
from jixiao.runtime.processes import cores, die_with_parent

_STEP = 2_000
"""Records per message to a producer process: ≈ 0.7 MB, so the processes take turns and none waits long."""


class KafkaSink:
    """Produces to ``jx.src.<source>.v1`` with key = dept_code (idempotent, batched, compressed), from
    ``producers`` processes (default one per core)."""

    def __init__(self, cfg: Settings, partitions: int = kafka_client.DEFAULT_PARTITIONS, producers: int | None = None):
        topics = [contracts.topic(s) for s in contracts.SOURCES]
        kafka_client.ensure_topics(topics, partitions, cfg)
        self._partitions = kafka_client.partition_counts(topics, cfg)
        self._placed: dict[tuple[str, bytes], tuple[int, int]] = {}  # (topic, key) → (partition, producer)
        self._owner: dict[tuple[str, int], int] = {}  # (topic, partition) → producer, round robin
        self._producers = [subprocess.Popen([sys.executable, "-m", "jixiao.simulator.sinks", str(os.getpid())],
                                            stdin=subprocess.PIPE)
                           for _ in range(producers or cores())]
        for process in self._producers:
            self._send(process, cfg)

    def _place(self, topic: str, key: bytes) -> tuple[int, int]:
        partition = kafka_client.partition_of(key, self._partitions[topic])
        owner = self._owner.setdefault((topic, partition), len(self._owner) % len(self._producers))
        self._placed[(topic, key)] = (partition, owner)
        return partition, owner

    def write_many(self, sources: list[str], keys: list[bytes], values: list[bytes],
                   instants: list[int] | None = None) -> None:
        topics = {s: contracts.topic(s) for s in set(sources)}
        placed, place = self._placed, self._place
        shares: list[list[tuple]] = [[] for _ in self._producers]
        for i, (source, key, value) in enumerate(zip(sources, keys, values)):
            topic = topics[source]
            partition, owner = placed.get((topic, key)) or place(topic, key)
            shares[owner].append((topic, partition, key, value, None if instants is None else instants[i] * 1000))
        for start in range(0, max(map(len, shares)), _STEP):  # in turns, so that every process has work
            for process, share in zip(self._producers, shares):
                if start < len(share):
                    self._send(process, share[start:start + _STEP])

    def _send(self, process: subprocess.Popen, message) -> None:
        try:
            process.stdin.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError) as error:
            raise RuntimeError(f"a Kafka producer process is gone ({error}): {self._failure(process)}") from None

    @staticmethod
    def _failure(process: subprocess.Popen) -> str:
        return f"exit code {process.wait()} (its error is on stderr above)"

    def close(self) -> None:
        """Flush every producer process and wait for it; raise when one failed."""
        for process in self._producers:
            try:
                process.stdin.close()
            except OSError:
                pass
        failed = [self._failure(p) for p in self._producers if p.wait() != 0]
        if failed:
            raise RuntimeError(f"a Kafka producer process failed: {failed[0]}; is the broker up (`jixiao kafka status`)?")


def _produce_from_stdin() -> None:
    """A producer process: settings first, then lists of (topic, partition, key, value, timestamp ms) until EOF."""
    die_with_parent(int(sys.argv[1]))
    commands = os.fdopen(os.dup(0), "rb", buffering=1 << 20)
    cfg = pickle.load(commands)
    producer = kafka_client.producer(cfg)
    send = producer.send
    try:
        while True:
            try:
                records = pickle.load(commands)
            except EOFError:
                break
            for topic, partition, key, value, timestamp in records:
                send(topic, key=key, value=value, partition=partition, timestamp_ms=timestamp)
        producer.flush()
    finally:
        producer.close()


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


if __name__ == "__main__":
    _produce_from_stdin()
