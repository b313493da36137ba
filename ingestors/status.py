"""``jixiao ingest status``: lag per partition, landed/dead/duplicate counts and rates, dead letters by reason."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pyarrow.dataset as ds
from kafka import KafkaConsumer, TopicPartition

from jixiao.ingestors.landing import LandingZone
from jixiao.runtime.config import Settings


@dataclass
class PartitionStatus:
    topic: str
    partition: int
    end_offset: int
    landed_offset: int
    landed: int
    dead: int
    duplicates: int
    events_per_second: float

    @property
    def lag(self) -> int:
        return max(0, self.end_offset - self.landed_offset)

    @property
    def consumed(self) -> int:
        return self.landed + self.dead + self.duplicates


def partition_status(cfg: Settings, topics: list[str]) -> list[PartitionStatus]:
    """One row per partition of the existing ``topics``: broker end offset against the landing zone."""
    zone = LandingZone(cfg)
    consumer = KafkaConsumer(bootstrap_servers=cfg.bootstrap_servers, group_id=None, metrics_enabled=False,
                             allow_auto_create_topics=False)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(partitions) if partitions else {}
    finally:
        consumer.close()
    rows = []
    for tp in partitions:
        commits = zone.commits(tp.topic, tp.partition)
        rows.append(PartitionStatus(
            tp.topic, tp.partition, ends[tp], zone.next_offset(tp.topic, tp.partition),
            sum(c.landed for c in commits), sum(c.dead for c in commits), sum(c.duplicates for c in commits),
            _rate(commits)))
    return rows


def _rate(commits) -> float:
    """Offsets per second between the first and the last commit marker (0 with fewer than two)."""
    if len(commits) < 2:
        return 0.0
    seconds = (datetime.fromisoformat(commits[-1].committed_at)
               - datetime.fromisoformat(commits[0].committed_at)).total_seconds()
    consumed = sum(c.last - c.first + 1 for c in commits[1:])
    return consumed / seconds if seconds > 0 else 0.0


def dead_letters_by_reason(cfg: Settings) -> Counter:
    """(topic, reason) → dead-letter count, read from the dead-letter store (committed files)."""
    files = LandingZone(cfg).dead_letter_files()
    if not files:
        return Counter()
    table = ds.dataset([str(p) for p in files], format="parquet").to_table(columns=["kafka_topic", "reason"])
    return Counter(zip(table.column("kafka_topic").to_pylist(), table.column("reason").to_pylist()))


def quarantined_by_reason(cfg: Settings) -> Counter | None:
    """(source, reason) → records held in quarantine, read from the published warehouse
    (``marts.fct_quarantined_record``); None when nothing has been published yet."""
    if not cfg.warehouse_path.exists():
        return None
    import duckdb

    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        try:
            rows = con.execute("select source, reason, count(*) from marts.fct_quarantined_record group by all").fetchall()
        except duckdb.CatalogException:
            return None  # published by a version without the quarantine mart
    return Counter({(source, reason): n for source, reason, n in rows})
