"""Transforms applied before normalisation: log and JRC-rule winsorising.

Both work per reference group (see ``scoring.groups``) and keep NaN as NaN.
Every transform here is increasing, so an indicator's direction is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jixiao.scoring.errors import ScoringError
from jixiao.scoring.groups import Groups

LOG_VARIANTS = ("plain", "ct", "gii")


def log(x: np.ndarray, groups: Groups, variant: str = "plain") -> np.ndarray:
    """Natural-log transform.

    - ``plain``: ``ln(x)``; any value <= 0 is an error (zero and negatives have no log).
    - ``ct`` (COIN Tool): ``ln(x - min + 1)`` with the group minimum; defined for
      any data, the group minimum maps to 0.
    - ``gii`` (Global Innovation Index): ``ln((max - 1)(x - min)/(max - min) + 1)``,
      which maps the group onto ``[0, ln(max)]``; needs a group maximum > 1
      (otherwise it would flatten or reverse the indicator). A group with no
      spread maps to 0.
    """
    x = np.asarray(x, dtype=float)
    if variant == "plain":
        bad = x <= 0
        if bad.any():
            raise ScoringError(
                f"log needs values > 0 but {int(bad.sum())} value(s) are <= 0 (e.g. {x[bad][0]:g}); "
                "use variant: ct (ln(x - min + 1)) or gii, or drop the log transform"
            )
        return np.log(x)
    low = groups.broadcast(groups.min(x))
    if variant == "ct":
        return np.log(x - low + 1.0)
    high = groups.broadcast(groups.max(x))
    if np.any(high <= 1):
        raise ScoringError(
            "log variant gii needs the largest value of each reference group to be > 1 "
            "(otherwise it flattens or reverses the indicator); use variant: ct"
        )
    spread = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(spread > 0, (high - 1.0) * (x - low) / spread, 0.0)
    return np.where(np.isnan(x), np.nan, np.log(scaled + 1.0))


def skew_kurtosis(x: np.ndarray, groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    """Sample skewness and excess kurtosis per group, as Excel SKEW/KURT (e1071 type 2, COINr).

    NaN where a group has too few values (3 for skewness, 4 for kurtosis) or no spread.
    """
    x = np.asarray(x, dtype=float)
    n = groups.count_present(x).astype(float)
    m2, m3, m4 = groups.central_moment_sums(x, (2, 3, 4))
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = np.sqrt(n) * m3 / m2**1.5
        skew = np.where((n >= 3) & (m2 > 0), g1 * np.sqrt(n * (n - 1)) / (n - 2), np.nan)
        r = n * m4 / m2**2
        kurt = np.where((n >= 4) & (m2 > 0), ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)
    return skew, kurt


def _fails_rule(skew, kurt, skew_limit, kurtosis_limit):
    """JRC rule: treat when |skewness| > limit AND kurtosis > limit (NaN never fails)."""
    return (np.abs(skew) > skew_limit) & (kurt > kurtosis_limit)


@dataclass(frozen=True)
class WinsoriseResult:
    """Treated values plus what was done.

    ``rows``/``original``/``treated``/``side`` list each winsorised point (row
    index within ``x``). ``summary`` has one record per group the rule flagged.
    """

    values: np.ndarray
    rows: np.ndarray
    original: np.ndarray
    treated: np.ndarray
    side: np.ndarray
    summary: list[dict]


def winsorise(
    x: np.ndarray,
    groups: Groups,
    skew: float = 2.0,
    kurtosis: float = 3.5,
    max_points: int = 5,
    fallback: str = "none",
) -> WinsoriseResult:
    """Winsorise per group, only where the JRC rule flags it (COINr ``winsorise``).

    A group is treated when |skewness| > ``skew`` and kurtosis > ``kurtosis``.
    Then, one step at a time, the most extreme value(s) on the side of the skew
    (high if skewness >= 0) are set to the next value inward, until the rule
    passes or ``max_points`` distinct points have been winsorised. If it still
    fails, ``fallback: none`` keeps the winsorised data (flagged ``passed:
    False``) and ``fallback: log`` restores the group and applies ``ln(x - min + 1)``.
    """
    values = np.array(x, dtype=float)
    skews, kurts = skew_kurtosis(values, groups)
    flagged = np.flatnonzero(_fails_rule(skews, kurts, skew, kurtosis))
    rows, original, treated, side, summary = [], [], [], [], []
    for g in flagged:
        start = groups.starts[g]
        stop = start + groups.sizes[g]
        segment = values[start:stop]
        present = np.flatnonzero(~np.isnan(segment))
        data = segment[present].copy()
        sides = np.full(data.size, "", dtype=object)
        passed, s, k = False, skews[g], kurts[g]
        while not passed and np.count_nonzero(sides) < max_points:
            high = s >= 0
            extreme = data.max() if high else data.min()
            at_extreme = data == extreme
            if at_extreme.all():
                break
            data[at_extreme] = data[~at_extreme].max() if high else data[~at_extreme].min()
            sides[at_extreme] = "high" if high else "low"
            one = Groups.single(data.size)
            s, k = (v[0] for v in skew_kurtosis(data, one))
            passed = not _fails_rule(s, k, skew, kurtosis)
        record = {
            "group": int(g), "skew_before": float(skews[g]), "kurtosis_before": float(kurts[g]),
            "points": int(np.count_nonzero(sides)), "passed": bool(passed), "fallback": "none",
        }
        if not passed and fallback == "log":
            data = np.log(segment[present] - segment[present].min() + 1.0)
            sides[:] = ""
            s, k = (v[0] for v in skew_kurtosis(data, Groups.single(data.size)))
            record.update(points=0, fallback="log", passed=bool(not _fails_rule(s, k, skew, kurtosis)))
        record.update(skew_after=float(s), kurtosis_after=float(k))
        summary.append(record)
        changed = np.flatnonzero(sides != "")
        rows.append(start + present[changed])
        original.append(segment[present][changed])
        treated.append(data[changed])
        side.append(sides[changed].astype(str))
        segment[present] = data
    return WinsoriseResult(
        values=values,
        rows=np.concatenate(rows) if rows else np.zeros(0, dtype=np.intp),
        original=np.concatenate(original) if original else np.zeros(0),
        treated=np.concatenate(treated) if treated else np.zeros(0),
        side=np.concatenate(side) if side else np.zeros(0, dtype=str),
        summary=summary,
    )
