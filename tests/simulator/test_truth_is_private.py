"""No pipeline stage reads or even names the ground-truth file (it is for evaluation only)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from jixiao.runtime.config import REPO_ROOT

PACKAGE_DIRS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
EVALUATION = ("simulator", "evaluation")
PIPELINE = (*sorted(set(PACKAGE_DIRS.values()) - set(EVALUATION)), "dbt_project", "dags")
EVALUATION_ENTRY = REPO_ROOT / "jixiao" / "cli" / "evaluate.py"
"""`jixiao evaluate` only hands the truth file to the evaluation package."""
FORBIDDEN = ("ground_truth", "truth_path", "simulator.planted", "simulator/config/planted", "planted.yaml")


def test_no_pipeline_code_names_the_ground_truth():
    offenders = []
    for folder in PIPELINE:
        for path in (REPO_ROOT / folder).rglob("*"):
            if path != EVALUATION_ENTRY and path.is_file() and path.suffix in {".py", ".sql", ".yml", ".yaml", ".json", ".md", ".toml", ".cfg"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                offenders += [f"{path.relative_to(REPO_ROOT)}: {word}" for word in FORBIDDEN if word in text]
    assert not offenders, offenders


def test_the_repo_root_is_this_worktree():
    assert Path(__file__).resolve().is_relative_to(REPO_ROOT.resolve())
