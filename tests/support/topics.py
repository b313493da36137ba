"""Source topics on the test broker: delete them all so that producing starts from empty topics."""
from __future__ import annotations

import time

from kafka import KafkaAdminClient

from jixiao import contracts


def delete_source_topics(cfg) -> None:
    """Delete every source topic (and wait until the broker has) so producing starts from empty topics."""
    admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers)
    try:
        source_topics = [contracts.topic(s) for s in contracts.SOURCES]
        existing = [t for t in admin.list_topics() if t in source_topics]
        if existing:
            admin.delete_topics(existing)
            deadline = time.monotonic() + 30
            while set(existing) & set(admin.list_topics()):
                assert time.monotonic() < deadline, "topics were not deleted within 30s"
                time.sleep(0.2)
    finally:
        admin.close()
