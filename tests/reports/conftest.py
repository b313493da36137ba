"""Fixtures of the report tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from report_warehouse import make_warehouse


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A hand-made warehouse: three departments of two types scored in 2026-01 and 2026-02."""
    return make_warehouse(tmp_path / "warehouse" / "jixiao.duckdb")
