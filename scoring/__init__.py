"""General composite-indicator engine (OECD/JRC Handbook method, as in COINr).

``score(values, spec)`` normalises, transforms and aggregates any indicator
table over a hierarchy described by a YAML spec (see ``scoring/SPEC.md``).
"""

from jixiao.scoring.engine import ScoreResult, score
from jixiao.scoring.errors import ScoringError, SpecError
from jixiao.scoring.grades import grade, half_up, rank_within
from jixiao.scoring.spec import Spec, load_spec

__all__ = ["ScoreResult", "ScoringError", "Spec", "SpecError", "grade", "half_up", "load_spec", "rank_within", "score"]
