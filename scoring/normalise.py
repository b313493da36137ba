"""Normalisation methods (OECD/JRC Handbook, as in COINr's ``n_*`` functions).

Every method takes one indicator column ``x`` (rows sorted by reference group),
the reference ``groups``, the indicator ``direction`` (``"higher"`` or ``"lower"``
is better) and its own parameters, and returns a float array of the same length.

Shared rules:

- Missing stays missing: a NaN input gives a NaN output, never 0.
- Direction: a lower-is-better indicator is flipped so that a higher normalised
  value is always better, in every method.
- Bounded methods map onto ``range`` (default ``[0, 100]``): the worst attainable
  result gets ``range[0]``, the best ``range[1]``.
- A reference group with no spread (all values equal, or a single unit) gets the
  neutral result: the middle of ``range`` (min-max, rank) or the mean (z-score).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jixiao.scoring.errors import ScoringError
from jixiao.scoring.groups import Groups

DEFAULT_RANGE = (0.0, 100.0)


def _to_range(unit_score: np.ndarray, range_: tuple[float, float]) -> np.ndarray:
    low, high = range_
    return low + unit_score * (high - low)


def _oriented(x: np.ndarray, direction: str) -> np.ndarray:
    """Values turned so that higher is better."""
    return -x if direction == "lower" else x


def ratio_to_target(x, groups, direction, target, cap=1.0, range=DEFAULT_RANGE):
    """Attainment of a target: ``x / target`` (``target / x`` if lower is better).

    The ratio is clipped to ``[0, cap]`` and mapped onto ``range``, so with the
    default ``cap=1`` meeting the target scores 100 and over-performance is not
    rewarded. For lower-is-better, an actual value <= 0 counts as full attainment.
    """
    x = np.asarray(x, dtype=float)
    if direction == "lower":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x > 0, target / x, cap)
    else:
        ratio = x / target
    ratio = np.where(np.isnan(x), np.nan, np.clip(ratio, 0.0, cap))
    return _to_range(ratio, range)


def goalposts(x, groups, direction, lower, upper, clip=True, range=DEFAULT_RANGE):
    """Position between fixed goalposts, JRC/COINr ``n_goalposts``.

    Higher-is-better: ``(x - lower) / (upper - lower)``; lower-is-better:
    ``(upper - x) / (upper - lower)``. With ``clip`` (default) values beyond a
    goalpost are capped at it. Goalposts are in the units after any transform.
    """
    x = np.asarray(x, dtype=float)
    unit_score = (x - lower) / (upper - lower)
    if direction == "lower":
        unit_score = 1.0 - unit_score
    if clip:
        unit_score = np.clip(unit_score, 0.0, 1.0)
    return _to_range(unit_score, range)


def minmax(x, groups: Groups, direction, range=DEFAULT_RANGE):
    """Min-max over the reference group: ``(x - min) / (max - min)`` (flipped if lower is better)."""
    y = _oriented(np.asarray(x, dtype=float), direction)
    low = groups.broadcast(groups.min(y))
    spread = groups.broadcast(groups.max(y)) - low
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_score = np.where(spread > 0, (y - low) / spread, 0.5)
    return _to_range(np.where(np.isnan(y), np.nan, unit_score), range)


def zscore(x, groups: Groups, direction, mean=0.0, sd=1.0):
    """Standardised value ``mean + sd * (x - mu) / sigma`` (sample sigma, as R's ``sd``).

    Unbounded. ``mean``/``sd`` rescale the output: ``(0, 1)`` gives plain
    z-scores (default), ``(50, 10)`` T-scores, ``(10, 2)`` COINr's example scale.
    """
    y = _oriented(np.asarray(x, dtype=float), direction)
    mu = groups.broadcast(groups.mean(y))
    sigma = groups.broadcast(groups.std(y, ddof=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sigma > 0, (y - mu) / sigma, 0.0)
    return np.where(np.isnan(y), np.nan, mean + sd * z)


def percentile_rank(x, groups: Groups, direction, range=DEFAULT_RANGE):
    """Percentile rank in the reference group: ``(rank - 1) / (n - 1)``.

    Ranks run from 1 (worst) to n (best) among present values; ties share their
    average rank. A group with one present value gets the middle of ``range``.
    """
    y = _oriented(np.asarray(x, dtype=float), direction)
    ranks = pd.Series(y).groupby(groups.index).rank(method="average").to_numpy()
    n = groups.broadcast(groups.count_present(y)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_score = np.where(n > 1, (ranks - 1.0) / (n - 1.0), 0.5)
    return _to_range(np.where(np.isnan(y), np.nan, unit_score), range)


def distance_to_frontier(x, groups: Groups, direction, form="ratio", range=DEFAULT_RANGE):
    """Closeness to the best performer of the reference group.

    ``form: ratio`` (default) is ``x / max`` (``min / x`` if lower is better) and
    needs strictly positive values. ``form: range`` is
    ``1 - (best - x) / (best - worst)``, identical to min-max.
    """
    x = np.asarray(x, dtype=float)
    if form == "range":
        return minmax(x, groups, direction, range)
    if np.any(x <= 0):
        raise ScoringError(
            "distance_to_frontier with form 'ratio' needs values > 0; "
            f"found {int(np.sum(x <= 0))} value(s) <= 0. Use form: range, or another method."
        )
    if direction == "lower":
        unit_score = groups.broadcast(groups.min(x)) / x
    else:
        unit_score = x / groups.broadcast(groups.max(x))
    return _to_range(unit_score, range)


def thresholds(x, groups, direction, points=None, red_flag=None, goal=None, range=DEFAULT_RANGE):
    """Piecewise-linear scores between threshold points, clamped outside them.

    ``points`` is a list of ``[value, score]`` pairs. The shorthand
    ``red_flag``/``goal`` means ``[[red_flag, range[0]], [goal, range[1]]]``
    (e.g. ``range: [0, 10]`` for a Spider-Impact-style 0-10 scale).
    """
    xs, ys = threshold_points(points, red_flag, goal, range)
    return np.interp(np.asarray(x, dtype=float), xs, ys)


def threshold_points(points, red_flag, goal, range=DEFAULT_RANGE):
    """The threshold points sorted by value, as two arrays."""
    if points is None:
        points = [[red_flag, range[0]], [goal, range[1]]]
    ordered = sorted((float(v), float(s)) for v, s in points)
    return np.array([v for v, _ in ordered]), np.array([s for _, s in ordered])


def _check_range(params) -> list[str]:
    range_ = params.get("range", DEFAULT_RANGE)
    if not (_is_number_list(range_, 2) and range_[0] < range_[1]):
        return [f"range must be [low, high] with low < high, got {range_!r}"]
    return []


def _check_ratio_to_target(params, direction) -> list[str]:
    problems = _check_range(params)
    if not _is_number(params["target"]) or params["target"] <= 0:
        problems.append(f"target must be a number > 0, got {params['target']!r}")
    cap = params.get("cap", 1.0)
    if not _is_number(cap) or cap <= 0:
        problems.append(f"cap must be a number > 0, got {cap!r}")
    return problems


def _check_goalposts(params, direction) -> list[str]:
    problems = _check_range(params)
    lower, upper = params["lower"], params["upper"]
    if not (_is_number(lower) and _is_number(upper) and lower < upper):
        problems.append(
            f"goalposts need numbers lower < upper, got lower={lower!r} upper={upper!r} "
            "(for a lower-is-better indicator keep lower < upper and set direction: lower)"
        )
    if not isinstance(params.get("clip", True), bool):
        problems.append("clip must be true or false")
    return problems


def _check_zscore(params, direction) -> list[str]:
    if not _is_number(params.get("mean", 0.0)) or not _is_number(params.get("sd", 1.0)) or params.get("sd", 1.0) <= 0:
        return ["zscore needs numeric mean and sd > 0"]
    return []


def _check_frontier(params, direction) -> list[str]:
    problems = _check_range(params)
    if params.get("form", "ratio") not in ("ratio", "range"):
        problems.append(f"form must be 'ratio' or 'range', got {params.get('form')!r}")
    return problems


def _check_thresholds(params, direction) -> list[str]:
    problems = _check_range(params)
    if problems:
        return problems
    points = params.get("points")
    shorthand = (params.get("red_flag"), params.get("goal"))
    if (points is None) == (shorthand == (None, None)):
        return ["thresholds need either points: [[value, score], ...] or red_flag and goal"]
    if points is None:
        if not all(_is_number(v) for v in shorthand) or shorthand[0] == shorthand[1]:
            return ["red_flag and goal must be two different numbers"]
    elif not (isinstance(points, list) and len(points) >= 2 and all(_is_number_list(p, 2) for p in points)):
        return ["points must be a list of at least two [value, score] pairs"]
    xs, ys = threshold_points(points, params.get("red_flag"), params.get("goal"), params.get("range", DEFAULT_RANGE))
    if np.any(np.diff(xs) == 0):
        return ["threshold values must be distinct"]
    steps = np.diff(ys)
    rising = direction == "higher"
    if np.all(steps == 0) or (np.any(steps < 0) if rising else np.any(steps > 0)):
        better = "higher" if rising else "lower"
        return [f"threshold scores must rise as values get better ({better} is better here); check the points or the direction"]
    return problems


def _range_only(params, direction) -> list[str]:
    return _check_range(params)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _is_number_list(value, length: int) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == length and all(_is_number(v) for v in value)


@dataclass(frozen=True)
class Method:
    """A normalisation method and the parameters it accepts."""

    func: Callable
    check: Callable
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


METHODS: dict[str, Method] = {
    "ratio_to_target": Method(ratio_to_target, _check_ratio_to_target, ("target",), ("cap", "range")),
    "goalposts": Method(goalposts, _check_goalposts, ("lower", "upper"), ("clip", "range")),
    "minmax": Method(minmax, _range_only, (), ("range",)),
    "zscore": Method(zscore, _check_zscore, (), ("mean", "sd")),
    "rank": Method(percentile_rank, _range_only, (), ("range",)),
    "distance_to_frontier": Method(distance_to_frontier, _check_frontier, (), ("form", "range")),
    "thresholds": Method(thresholds, _check_thresholds, (), ("points", "red_flag", "goal", "range")),
}


def normalise(x: np.ndarray, groups: Groups, direction: str, method: str, params: dict) -> np.ndarray:
    """Apply the named method (see ``METHODS``) to one indicator column."""
    return METHODS[method].func(x, groups, direction, **params)
