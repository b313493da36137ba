"""Anchors: signed-tree-head-like records of a chain's Merkle root, kept in two places.

An anchor of fund F at size n commits to the first n entries: ``root`` = MTH of their leaves (RFC 6962)
and ``head`` = the hash of entry n-1. Anchors are appended to the fund's anchor log (a hash chain of its
own, canonical JSON lines like the chain's, ``hash`` = SHA-256 of the line without it) and published,
byte for byte, to the Kafka topic ``jx.ledger.anchors.v1`` (key ``<ledger_id>/<fund>``, one partition,
kept forever). Whoever rewrites a chain must also rewrite its anchor log, and cannot rewrite the topic.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import orjson

from jixiao.ledger.canonical import canonical
from jixiao.runtime.config import Settings
from jixiao.runtime.kafka_client import broker_answers, producer

KAFKA_TIMEOUT_MS = 3000
READ_TIMEOUT_S = 120


@dataclass(frozen=True)
class Anchor:
    fund: str
    seq: int
    size: int
    root: str
    head: str
    hash: str
    prev: str
    line: bytes


def anchor_genesis(fund: str) -> str:
    return sha256(f"jixiao-ledger/v1/anchors:{fund}".encode()).hexdigest()


def anchor_line(ledger_id: str, fund: str, seq: int, size: int, root: bytes, head: bytes, prev: str,
                anchored_at: str) -> tuple[bytes, str]:
    """The anchor log line (with newline) for the tree of ``size`` entries, and the anchor's hash."""
    body = {"anchored_at": anchored_at, "fund": fund, "head": head.decode(), "ledger_id": ledger_id,
            "prev": prev, "root": root.hex(), "seq": seq, "size": size}
    body["hash"] = sha256(canonical(body)).hexdigest()
    return canonical(body) + b"\n", body["hash"]


def parse_anchor(line: bytes, ledger_id: str, fund: str) -> Anchor | None:
    """The anchor on a line, or None when the line is not a self-consistent anchor of this ledger's fund."""
    try:
        body = orjson.loads(line)
        claimed = body.pop("hash")
        if (sha256(canonical(body)).hexdigest() != claimed or canonical({**body, "hash": claimed}) + b"\n" != line
                or body["ledger_id"] != ledger_id or body["fund"] != fund):
            return None
        return Anchor(fund, int(body["seq"]), int(body["size"]), body["root"], body["head"], claimed, body["prev"], line)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


@dataclass
class AnchorLog:
    """The anchors read back from a fund's log, and the first line that is not a valid next anchor."""

    anchors: list[Anchor]
    bad_line: int | None = None
    torn: bytes = b""

    @property
    def last_hash(self) -> str | None:
        return self.anchors[-1].hash if self.anchors else None


def read_log(path: Path, ledger_id: str, fund: str) -> AnchorLog:
    """Read a fund's anchor log, checking each line's hash, its link to the previous one and its number."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return AnchorLog([])
    lines = data.split(b"\n")
    torn = lines.pop()
    log = AnchorLog([], torn=torn)
    prev = anchor_genesis(fund)
    for number, raw in enumerate(lines):
        anchor = parse_anchor(raw + b"\n", ledger_id, fund)
        if anchor is None or anchor.seq != number or anchor.prev != prev:
            log.bad_line = number
            break
        log.anchors.append(anchor)
        prev = anchor.hash
    return log


def publish(cfg: Settings, topic: str, ledger_id: str, anchors: list[Anchor]) -> bool:
    """Publish anchors (at least once; readers keep one copy per anchor). False when no broker answers."""
    from kafka.errors import KafkaError

    if not broker_answers(cfg):
        return False
    try:
        _ensure_topic(cfg, topic)
        client = producer(cfg, client_id="jixiao-ledger", bootstrap_timeout_ms=KAFKA_TIMEOUT_MS,
                          max_block_ms=10_000, linger_ms=0)
    except KafkaError:
        return False
    try:
        for anchor in anchors:
            client.send(topic, key=f"{ledger_id}/{anchor.fund}".encode(), value=anchor.line.rstrip(b"\n"))
        client.flush(timeout=30)
    finally:
        client.close()
    return True


def _ensure_topic(cfg: Settings, topic: str) -> None:
    """One partition (a total order) and no retention limit: anchors are kept for good."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers, client_id="jixiao-ledger-admin",
                             bootstrap_timeout_ms=KAFKA_TIMEOUT_MS)
    try:
        if topic not in admin.list_topics():
            try:
                admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"retention.ms": "-1"})])
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def read_topic(cfg: Settings, topic: str, ledger_id: str) -> dict[str, list[bytes]] | None:
    """Every anchor line published for this ledger, per fund, in publication order; None when no broker answers."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import KafkaError

    if not broker_answers(cfg):
        return None
    try:
        consumer = KafkaConsumer(bootstrap_servers=cfg.bootstrap_servers, group_id=None, enable_auto_commit=False,
                                 client_id="jixiao-ledger-verify", bootstrap_timeout_ms=KAFKA_TIMEOUT_MS,
                                 metrics_enabled=False, allow_auto_create_topics=False)
    except KafkaError:
        return None
    found: dict[str, list[bytes]] = {}
    prefix = f"{ledger_id}/".encode()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return found
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + READ_TIMEOUT_S
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} took over {READ_TIMEOUT_S} s; is the broker overloaded?")
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    if record.key and record.key.startswith(prefix):
                        found.setdefault(record.key[len(prefix):].decode(), []).append(record.value + b"\n")
    finally:
        consumer.close()
    return found
