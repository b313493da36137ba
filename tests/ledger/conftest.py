"""A ledger built once from the shared simulated platform's committed landing zone; tests tamper with copies."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jixiao.ledger import Ledger, append_from_landing
from ledger_helpers import SMALL_ANCHORS


@pytest.fixture(scope="session")
def platform_ledger(simulated_platform, tmp_path_factory) -> Path:
    """The special-fund disbursements the platform landed, in a ledger anchored every 16 entries (anchors
    published to the session broker). Read-only: copy it to tamper."""
    root = tmp_path_factory.mktemp("platform-ledger") / "ledger"
    report = append_from_landing(simulated_platform.cfg, Ledger(root, SMALL_ANCHORS))
    assert report.published, "the session broker must receive the anchors"
    assert not report.frozen and sum(report.appended.values()) > 100
    return root


@pytest.fixture
def ledger_copy(platform_ledger, tmp_path) -> Ledger:
    """A private copy of the platform ledger (same ledger id, so its anchors in Kafka apply)."""
    shutil.copytree(platform_ledger, tmp_path / "ledger")
    return Ledger(tmp_path / "ledger", SMALL_ANCHORS)
