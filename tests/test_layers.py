"""The house is one-way: entry points (CLI, pipeline, orchestration, DAGs) → stages → the shared runtime.

Stages are imported under the project's own name (``jixiao.<stage>``), never as generic top-level names.
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from jixiao.runtime.config import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS = PYPROJECT["tool"]["setuptools"]["package-dir"]
ENTRY_POINTS = ("jixiao.cli", "jixiao.pipeline", "jixiao.orchestration", "jixiao.continuous")
STAGES = sorted(name for name in PACKAGE_DIRS if name.count(".") == 1)
GENERIC_NAMES = {name.split(".")[1] for name in STAGES}


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported anywhere in a file (``from x import y`` counts as x and x.y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def python_files(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def under(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_never_imports_an_entry_point(stage):
    offenders = [f"{path.relative_to(REPO_ROOT)} imports {module}"
                 for path in python_files(PACKAGE_DIRS[stage]) for module in imported_modules(path)
                 if under(module, ENTRY_POINTS)]
    assert offenders == []


def test_the_runtime_imports_nothing_else_of_jixiao():
    offenders = [f"{path.relative_to(REPO_ROOT)} imports {module}"
                 for path in python_files("jixiao/runtime") for module in imported_modules(path)
                 if module.startswith("jixiao") and not under(module, ["jixiao.runtime"]) and module != "jixiao"]
    assert offenders == []


def test_nothing_but_the_cli_imports_the_cli():
    folders = [*PACKAGE_DIRS.values(), "dags", "benchmarks", "tests", "dbt_project"]
    offenders = [f"{path.relative_to(REPO_ROOT)} imports {module}"
                 for folder in set(folders) for path in python_files(folder)
                 if not path.is_relative_to(REPO_ROOT / "jixiao" / "cli") and not path.name.startswith("test_")
                 for module in imported_modules(path) if under(module, ["jixiao.cli"])]
    assert offenders == []


def test_stages_are_imported_under_the_project_name():
    folders = [*PACKAGE_DIRS.values(), "dags", "benchmarks", "tests", "dbt_project"]
    offenders = [f"{path.relative_to(REPO_ROOT)} imports {module}"
                 for folder in set(folders) for path in python_files(folder)
                 for module in imported_modules(path) if module.split(".")[0] in GENERIC_NAMES]
    assert offenders == []


def test_every_package_folder_is_installed():
    installed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    for name, folder in PACKAGE_DIRS.items():
        for init in (REPO_ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(REPO_ROOT / folder).parts
            assert ".".join([name, *relative]) in installed, f"{init.parent} is not listed in pyproject packages"
