"""A command whose prerequisite is missing answers with one line saying what to run, exits non-zero, no traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jixiao.runtime.config import REPO_ROOT

NO_BROKER_PORT = "41099"  # nothing listens here (inside this checkout's port block)


@pytest.mark.parametrize("args, advice", [
    (["ingest", "status"], "jixiao kafka start"),
    (["ingest", "--sources", "hotline_12345"], "jixiao kafka start"),
    (["simulate", "--scale", "XS", "--months", "1"], "jixiao kafka start"),
    (["kafka", "create-topics"], "jixiao kafka start"),
    (["check"], "jixiao build"),
    (["report"], "jixiao build"),
    (["evaluate"], "jixiao build"),
])
def test_missing_prerequisite_is_one_line_and_a_non_zero_exit(tmp_path, args, advice):
    env = {**os.environ, "JX_HOME": str(tmp_path / "home"), "JX_KAFKA_PORT": NO_BROKER_PORT}
    result = subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    assert advice in output, output
