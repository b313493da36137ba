"""The data-validity rules' configuration (``expectations/rules.yaml``): one file for every threshold and window.

dbt receives it as the var ``integrity`` on every invocation (:func:`dbt_vars`); the Python models and the
``jixiao review`` command read it with :func:`load_rules`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).parent / "rules.yaml"


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> dict:
    """The rules configuration as a dict (cached per path; the file is read once per process)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dbt_vars(path: Path = RULES_PATH) -> dict:
    """The dbt vars that carry the rules: ``{"integrity": <rules.yaml>}``."""
    return {"integrity": load_rules(path)}
