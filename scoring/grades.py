"""Grades (优/良/中/差) and ranks within groups for composite scores on a 0-100 scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

# (lowest score of the grade, grade), best first: 优 >= 90, 良 80-89, 中 60-79, 差 < 60.
GRADE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "优"), (80.0, "良"), (60.0, "中"), (-np.inf, "差"))
RANK_METHODS = ("min", "dense")
FLOAT_NOISE_DECIMALS = 9
"""Digits kept before rounding half up, so 79.95 (stored as 79.9499999…) rounds like the decimal it shows."""


def half_up(values, decimals: int = 1):
    """四舍五入: round half away from zero to ``decimals`` (Python's ``round`` and pandas' ``round`` round
    half to even: 0.25 → 0.2; here 0.25 → 0.3, 79.95 → 80.0, 89.95 → 90.0). Missing stays missing."""
    values = np.asarray(values, dtype=float)
    scaled = np.round(np.abs(values) * 10.0**decimals, FLOAT_NOISE_DECIMALS)
    return np.sign(values) * np.floor(scaled + 0.5) / 10.0**decimals


def grade(scores, bands=GRADE_BANDS):
    """Grade of each score; a missing score has no grade (None).

    A score gets the first band whose lower bound it reaches, so 89.99 is 良.
    The score is used as given: round it first (``half_up``) if grades should
    follow the rounded figure that is published.
    """
    values = np.asarray(scores, dtype=float)
    graded = np.select([values >= low for low, _ in bands], [name for _, name in bands], default="")
    graded = np.where(np.isnan(values), None, graded.astype(object))
    if isinstance(scores, pd.Series):
        return pd.Series(graded, index=scores.index, name="grade", dtype=object)
    return graded if graded.ndim else graded.item()


def rank_within(frame: pd.DataFrame, score: str, by=None, method: str = "min") -> pd.Series:
    """Rank of each row's ``score`` within groups of ``by`` columns, 1 = highest.

    ``method="min"`` is competition ranking (ties share the best rank, the next
    rank is skipped: 1, 2, 2, 4); ``"dense"`` does not skip (1, 2, 2, 3).
    Rows with no score get no rank.
    """
    if method not in RANK_METHODS:
        raise ValueError(f"method must be one of {RANK_METHODS}, got {method!r}")
    column = frame[score] if by is None else frame.groupby(by, dropna=False, observed=True)[score]
    ranks = column.rank(method=method, ascending=False)
    return ranks.astype("Int64").rename(f"rank_{score}")
