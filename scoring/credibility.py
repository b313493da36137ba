"""Credibility-weighted rates (empirical Bayes): a rate measured on few cases leans toward its peer group.

For one indicator and period, department *i* of peer group *g* had ``x_i`` successes in ``n_i`` cases. Its
rate is taken as the mean of a beta-binomial posterior::

    value_i = (x_i + κ μ_g) / (n_i + κ) = (1 − B_i) · x_i / n_i + B_i · μ_g,   B_i = κ / (κ + n_i)

- ``μ_g`` (the *prior*): the peer group's pooled rate Σx / Σn in the same period;
- ``κ`` (prior strength, in cases): from how much the departments' rates really differ around their group's
  rate beyond binomial noise, by the method of moments: the between-department variance
  ``τ² = max(0, (Σ n_i (p_i − μ_g)² − (N − G) μ (1 − μ)) / (Σ n_i − Σ_g Σ_{i∈g} n_i² / Σ_{i∈g} n_i − (N − G)))``
  (the expectation of the weighted squares is (N − G)(μ(1 − μ) − τ²) + τ² Σ n_i − τ² Σ_g Σ n_i² / Σ n_i) and
  ``κ = μ (1 − μ) / τ² − 1`` (μ the overall rate, N departments with cases, G groups); with no real spread
  (τ² = 0) every department gets its group's rate;
- ``B_i`` (``shrinkage``): the weight on the group, 1 with no cases … → 0 with many.

A department with no case has no value (missing data stays missing). Rates are in % (0–100).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

MAX_STRENGTH = 1e6
"""κ when the departments do not differ beyond noise (complete pooling)."""


def prior_strengths(counts: pd.DataFrame, by: list[str]) -> pd.Series:
    """κ per estimation (the ``by`` columns) from columns x (successes), n (cases) and peer_group; see the module
    docstring. ``MAX_STRENGTH`` where departments do not differ beyond binomial noise."""
    counts = counts[counts["n"] > 0]
    groups = counts.groupby(by + ["peer_group"])
    group_rate = groups["x"].transform("sum") / groups["n"].transform("sum")
    per_group = (counts.assign(n2=counts["n"] ** 2).groupby(by + ["peer_group"])[["n2", "n"]].sum())
    terms = counts.assign(spread=counts["n"] * (counts["x"] / counts["n"] - group_rate) ** 2)
    totals = terms.groupby(by).agg(x=("x", "sum"), n=("n", "sum"), spread=("spread", "sum"), units=("n", "size"),
                                   groups=("peer_group", "nunique"))
    totals["concentration"] = (per_group["n2"] / per_group["n"]).groupby(level=list(range(len(by)))).sum()
    mean = totals["x"] / totals["n"]
    within = mean * (1 - mean)
    degrees = totals["units"] - totals["groups"]
    scale = totals["n"] - totals["concentration"] - degrees
    between = ((totals["spread"] - degrees * within) / scale.where(scale > 0)).where(degrees > 0)
    strength = (within / between.where(between > 0) - 1).clip(lower=0, upper=MAX_STRENGTH)
    return strength.where(within > 0).fillna(MAX_STRENGTH).rename("prior_strength")


def credibility_weighted(frame: pd.DataFrame, by: list[str], reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Credibility-weighted rates of ``frame`` (columns successes, sample_size, peer_group and ``by``).

    ``by`` names the columns of one estimation (e.g. indicator_code, period_type, period). The priors and
    prior strengths are estimated on ``reference`` (default: ``frame`` itself), so rows taken out of ``frame``
    (e.g. an exempted month) change no other department. Adds ``raw_value`` (100 x / n), ``prior_value``
    (μ_g, %), ``prior_strength`` (κ), ``shrinkage`` (B) and ``value`` (the credibility-weighted rate, %).
    Rows without cases get no value.
    """
    reference = frame if reference is None else reference
    if frame.empty or reference.empty:
        return frame.assign(raw_value=np.nan, prior_value=np.nan, prior_strength=np.nan, shrinkage=np.nan, value=np.nan)
    keys = by + ["peer_group"]
    counts = reference.assign(x=reference["successes"].fillna(0), n=reference["sample_size"].fillna(0))
    priors = counts.groupby(keys)[["x", "n"]].sum()
    priors = (100 * priors["x"] / priors["n"].where(priors["n"] > 0)).rename("prior_value")
    out = frame.join(priors, on=keys).join(prior_strengths(counts, by), on=by)
    trials = out["sample_size"].fillna(0).to_numpy(dtype=float)
    has_cases = trials > 0
    safe = np.where(has_cases, trials, 1.0)
    out["raw_value"] = np.where(has_cases, 100 * out["successes"].fillna(0).to_numpy(dtype=float) / safe, np.nan)
    out["shrinkage"] = np.where(has_cases, out["prior_strength"] / (out["prior_strength"] + safe), np.nan)
    out["value"] = np.where(has_cases, (1 - out["shrinkage"]) * out["raw_value"] + out["shrinkage"] * out["prior_value"],
                            np.nan)
    return out
