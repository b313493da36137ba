"""Weighted aggregation of one hierarchy node, with the missing-data rules.

Rules, per row (unit x period):

- A child is *applicable* unless it was excluded (exclusion mask, or all of a
  child node's own children excluded). Excluded children are out of both the
  mean and the coverage: an exemption neither helps nor hurts.
- A child is *present* when applicable and not NaN. Weights are renormalised
  over present children.
- ``coverage`` = present weight / applicable weight. Below ``min_coverage`` the
  node is NaN with status ``below_min_coverage``; with no present child it is
  NaN with status ``no_data``; with no applicable child it is NaN ``excluded``.
  A node scored on part of its weight has status ``renormalised``.
- A *cap* (``capped`` children, ``max_share``) limits how much of the node's
  weight those children may carry together: when the present capped children
  would carry more than ``max_share`` of the present weight, their weights are
  scaled down to exactly that share and the others' up. With only capped
  children present the node has no score (status ``capped``): they may never
  decide it alone. Coverage is still measured on the declared weights.

Geometric and harmonic means are only defined for strictly positive inputs
(as in COINr ``a_gmean``/``a_hmean``); a value <= 0 raises ``ScoringError``
naming the child. Normalise such children onto a positive range (e.g.
``range: [1, 100]``) or aggregate arithmetically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jixiao.scoring.errors import ScoringError

AGGREGATION_METHODS = ("arithmetic", "geometric", "harmonic")

OK, RENORMALISED, BELOW_MIN_COVERAGE, NO_DATA, EXCLUDED, CAPPED = range(6)
STATUS_NAMES = np.array(["ok", "renormalised", "below_min_coverage", "no_data", "excluded", "capped"])
# Coverage is a ratio of float sums; do not fail a node on rounding noise.
COVERAGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class NodeResult:
    """Aggregation outcome for every row.

    ``local_weights`` are the renormalised child weights (0 for absent children)
    and ``balance`` is score / weighted arithmetic mean of the present children:
    1 for arithmetic nodes, <= 1 for geometric and harmonic ones (the penalty for
    an unbalanced profile). Contributions use ``local_weights * balance``.
    """

    score: np.ndarray
    coverage: np.ndarray
    status: np.ndarray
    applicable: np.ndarray
    local_weights: np.ndarray
    balance: np.ndarray


def aggregate(
    children: np.ndarray,
    weights: np.ndarray,
    method: str = "arithmetic",
    applicable: np.ndarray | None = None,
    min_coverage: float = 0.0,
    child_names: tuple[str, ...] | None = None,
    capped: np.ndarray | None = None,
    max_share: float | None = None,
) -> NodeResult:
    """Aggregate ``children`` (rows x k) with positive ``weights`` (k).

    ``capped`` (k booleans) and ``max_share`` cap the share of weight those children carry together.
    """
    children = np.asarray(children, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if applicable is None:
        applicable = np.ones(children.shape, dtype=bool)
    present = applicable & ~np.isnan(children)
    values = np.where(present, children, np.nan)
    if method != "arithmetic":
        _require_positive(values, method, child_names)

    applicable_weight = applicable @ weights
    present_weight = present @ weights
    row_weights = np.where(present, weights, 0.0)
    capped_only = np.zeros(children.shape[0], dtype=bool)
    if capped is not None and max_share is not None and np.any(capped):
        capped = np.asarray(capped, dtype=bool)
        capped_weight = row_weights[:, capped].sum(axis=1)
        other_weight = present_weight - capped_weight
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(capped_weight > max_share * present_weight,
                              max_share * other_weight / ((1 - max_share) * capped_weight), 1.0)
        row_weights = np.where(capped, row_weights * factor[:, None], row_weights)
        capped_only = (capped_weight > 0) & (other_weight <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        local_weights = row_weights / row_weights.sum(axis=1)[:, None]
        coverage = np.where(applicable_weight > 0, present_weight / applicable_weight, np.nan)
    filled = np.where(present, values, 0.0)
    arithmetic = np.sum(local_weights * filled, axis=1)
    if method == "arithmetic":
        score = arithmetic
    elif method == "geometric":
        score = np.exp(np.sum(local_weights * np.log(np.where(present, values, 1.0)), axis=1))
    else:
        score = 1.0 / np.sum(local_weights / np.where(present, values, 1.0), axis=1)

    status = np.full(children.shape[0], OK, dtype=np.int8)
    status[coverage < 1.0] = RENORMALISED
    status[coverage < min_coverage - COVERAGE_TOLERANCE] = BELOW_MIN_COVERAGE
    status[capped_only] = CAPPED
    status[present_weight == 0] = NO_DATA
    status[applicable_weight == 0] = EXCLUDED
    scored = status <= RENORMALISED
    score = np.where(scored, score, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(method == "arithmetic", 1.0, score / arithmetic)
    local_weights = np.where(scored[:, None], np.nan_to_num(local_weights), 0.0)
    return NodeResult(
        score=score,
        coverage=coverage,
        status=status,
        applicable=applicable.any(axis=1),
        local_weights=local_weights,
        balance=np.where(scored, balance, np.nan),
    )


def _require_positive(values: np.ndarray, method: str, child_names) -> None:
    bad = values <= 0
    if not bad.any():
        return
    column = int(np.flatnonzero(bad.any(axis=0))[0])
    name = child_names[column] if child_names else f"#{column}"
    example = values[bad[:, column], column][0]
    raise ScoringError(
        f"{method} aggregation needs values > 0, but child '{name}' has "
        f"{int(bad[:, column].sum())} value(s) <= 0 (e.g. {example:g}). "
        "Normalise the children onto a positive range (e.g. range: [1, 100]) "
        "or use method: arithmetic."
    )
