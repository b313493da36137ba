"""Source topics on the test broker: delete them all so that producing starts from empty topics."""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from kafka import KafkaAdminClient

from jixiao import contracts
from jixiao.runtime.config import settings


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


@contextmanager
def fresh_platform(tmp_path_factory, name: str):
    """A new JX_HOME (set in the environment while inside) and empty source topics; yields the settings."""
    home = tmp_path_factory.mktemp(name) / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        cfg = settings()
        delete_source_topics(cfg)
        yield cfg
