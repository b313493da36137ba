"""No model code reads the simulator's truth: not by name, not by import, and not at run time while training."""
from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

from jixiao.models import registry
from jixiao.runtime.config import REPO_ROOT, settings

MODEL_CODE = [*(REPO_ROOT / "models").rglob("*.py"),
              *(REPO_ROOT / "dbt_project" / "models" / "intermediate" / "intelligence").glob("*.py"),
              *(REPO_ROOT / "dbt_project" / "models" / "marts" / "intelligence").glob("*.py")]
FORBIDDEN_IMPORTS = ("jixiao.simulator", "jixiao.evaluation")


def test_model_code_neither_imports_the_simulator_nor_the_evaluation():
    offenders = []
    for path in MODEL_CODE:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN_IMPORTS)]
    assert MODEL_CODE and not offenders


class _TruthWatch:
    """A process audit hook recording every open of a truth file (audit hooks cannot be removed: it is switched off)."""

    active = False
    opened: list[str] = []

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.active and event == "open" and args and "ground_truth" in str(args[0]):
            cls.opened.append(str(args[0]))


sys.addaudithook(_TruthWatch.hook)


def test_training_every_model_never_opens_the_truth_file(simulated_platform, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copyfile(simulated_platform.cfg.warehouse_path, home / "warehouse" / "jixiao.duckdb")
    shutil.copytree(simulated_platform.cfg.simulator_dir, home / "simulator")  # the truth sits right there
    monkeypatch.setenv("JX_HOME", str(home))
    _TruthWatch.opened.clear()
    _TruthWatch.active = True
    try:
        with open(Path(home / "simulator" / "ground_truth.json"), "rb"):
            pass  # the watch itself works
        assert _TruthWatch.opened
        _TruthWatch.opened.clear()
        trained = registry.train(cfg=settings())
    finally:
        _TruthWatch.active = False
    assert sorted(a.name for a in trained) == sorted(registry.SPECS)
    assert _TruthWatch.opened == []
