"""No pipeline stage reads or even names the ground-truth file (it is for evaluation only)."""
from __future__ import annotations

from pathlib import Path

from jixiao.runtime.config import REPO_ROOT

PIPELINE = ("jixiao", "ingestors", "dbt_project", "reports", "scoring", "models", "expectations", "dags")
FORBIDDEN = ("ground_truth", "truth_path", "simulator.planted", "simulator/config/planted", "planted.yaml")


def test_no_pipeline_code_names_the_ground_truth():
    offenders = []
    for folder in PIPELINE:
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".sql", ".yml", ".yaml", ".json", ".md", ".toml", ".cfg"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                offenders += [f"{path.relative_to(REPO_ROOT)}: {word}" for word in FORBIDDEN if word in text]
    assert not offenders, offenders


def test_the_repo_root_is_this_worktree():
    assert Path(__file__).resolve().is_relative_to(REPO_ROOT.resolve())
