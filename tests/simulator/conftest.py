"""One small simulated province (XS, six months) shared by the simulator tests, as JSON lines + truth."""
from __future__ import annotations

import pytest
from simrun import OVERRIDES, Run, run_to


@pytest.fixture(scope="session")
def xs_run(tmp_path_factory) -> Run:
    return run_to(tmp_path_factory.mktemp("xs"), planted_overrides=OVERRIDES)
