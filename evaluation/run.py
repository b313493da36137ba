"""Run every evaluation section on one platform instance and record the figures."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from jixiao.evaluation import models, rules, scores, stream
from jixiao.evaluation.core import Context, Section, write_json
from jixiao.runtime.config import Settings, settings

SECTIONS = (stream, scores, rules, models)
"""Section modules, in the order they are printed."""


def truth_file(cfg: Settings) -> Path:
    """Where ``jixiao simulate`` wrote the planted truth of this instance."""
    return cfg.simulator_dir / "ground_truth.json"


def evaluate(cfg: Settings | None = None, truth_path: Path | None = None) -> list[Section]:
    """Evaluate the published warehouse against the truth; write ``$JX_HOME/evaluation/results.json``."""
    cfg = cfg or settings()
    truth = json.loads((truth_path or truth_file(cfg)).read_text(encoding="utf-8"))
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        sections = [module.evaluate(Context(cfg, truth, con)) for module in SECTIONS]
    write_json(sections, cfg.home / "evaluation" / "results.json")
    return sections
