"""Alert tests publish a small warehouse whose marts raise hand-made alerts."""
from __future__ import annotations

import uuid

import duckdb
import pytest
from alert_sources import add_alert_mart

from jixiao.alerts import collect_alerts


@pytest.fixture
def key_prefix() -> str:
    """Alert keys no other test (or earlier run on the session broker) uses."""
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def publish_alerts(jx_home):
    """Write a published warehouse whose ``marts.fct_alert`` holds the given alert-mart rows; return settings."""
    from jixiao.runtime.config import settings

    def publish(rows: list[dict]):
        cfg = settings()
        cfg.warehouse_dir.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(cfg.warehouse_path)) as con:
            add_alert_mart(con, "fct_rule_alert", rows)
            collect_alerts(con)
        return cfg

    return publish
