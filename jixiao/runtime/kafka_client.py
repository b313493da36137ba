"""Kafka clients shared by the stages: topic creation and the idempotent, batched producer."""
from __future__ import annotations

import os
import socket
import time

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.partitioner import murmur2

from jixiao.runtime.config import Settings, settings

DEFAULT_PARTITIONS = int(os.environ.get("JX_TOPIC_PARTITIONS", "3"))


def broker_answers(cfg: Settings | None = None, timeout: float = 1.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection within ``timeout`` s (a quick probe before a client
    that would wait seconds for a broker that is not there)."""
    cfg = cfg or settings()
    for server in cfg.bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
            return True
        except OSError:
            continue
    return False


def ensure_topics(topics: list[str], partitions: int = DEFAULT_PARTITIONS,
                  cfg: Settings | None = None) -> None:
    """Create the topics that do not exist yet (existing ones keep their partition count)."""
    cfg = cfg or settings()
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers, client_id="jixiao-admin")
    try:
        missing = sorted(set(topics) - set(admin.list_topics()))
        if missing:
            try:
                admin.create_topics([NewTopic(t, partitions, 1) for t in missing])
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def partition_counts(topics: list[str], cfg: Settings | None = None, timeout: float = 30.0) -> dict[str, int]:
    """Partitions of each topic, waiting (up to ``timeout`` s) for topics just created to show their partitions."""
    cfg = cfg or settings()
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers, client_id="jixiao-admin")
    try:
        deadline = time.monotonic() + timeout
        while True:
            counts = {t["name"]: len(t["partitions"] or ()) for t in admin.describe_topics(topics)}
            missing = sorted(t for t in topics if not counts.get(t))
            if not missing:
                return counts
            if time.monotonic() > deadline:
                raise RuntimeError(f"topics without partitions after {timeout:.0f} s: {', '.join(missing)} — "
                                   "is the broker healthy? (`jixiao kafka status`)")
            time.sleep(0.2)
    finally:
        admin.close()


def partition_of(key: bytes, partitions: int) -> int:
    """The partition of a keyed record, as kafka-python's and the Java client's default partitioner choose it
    (murmur2 of the key)."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def producer(cfg: Settings | None = None, **overrides) -> KafkaProducer:
    """An idempotent producer (acks=all), lz4-compressed, batching up to 512 KiB per partition."""
    cfg = cfg or settings()
    options = dict(bootstrap_servers=cfg.bootstrap_servers, client_id="jixiao-producer",
                   enable_idempotence=True, acks="all", compression_type="lz4",
                   linger_ms=50, batch_size=512 * 1024, max_request_size=2 * 1024 * 1024)
    options.update(overrides)
    return KafkaProducer(**options)
