"""Scoring periods: months pooled into the window each published score is computed on.

Three period types (``scoring/DEPARTMENT.md``): ``month`` (label ``YYYY-MM``; the window is that month and
the ``window_months - 1`` months before it in the same data, a month ``k`` months back weighing ``decay ** k``
when a decay is set), ``quarter`` (``YYYY-Qn``, its three months) and ``year`` (``YYYY``, its months), those
weighing equally. A period is scored with the catalogue in force in its last month.

Each indicator pools the months of a window by its catalogue ``aggregation``:

- ``rate``, ``share``, ``mean_of``: mean of the monthly values weighted by month weight × denominator, i.e.
  Σ w·numerator / Σ w·denominator (× 100 for rates and shares) over the months with data, computed from the
  bounded monthly values. ``sample_size`` is the effective number of cases (Σ w·n)² / Σ w²·n (the plain
  Σ n with equal weights) and ``successes`` the rate × that, for the credibility weighting;
- ``monthly_mean``: weighted mean of the monthly values with data;
- ``latest``: the value of the period's last month — year-to-date and cumulative figures (which the
  warehouse carries forward through months without activity).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PERIOD_TYPES = ("month", "quarter", "year")
WEIGHTED = ("rate", "share", "mean_of")
CATALOGUE_COLUMNS = ["indicator_version", "indicator_name", "dimension", "goal_code", "direction", "weight",
                     "self_reported", "scored_in", "aggregation", "independent_indicators"]
POOLED_COLUMNS = ["dept_code", "period_type", "period", "indicator_code", *CATALOGUE_COLUMNS, "target", "value",
                  "successes", "sample_size", "months_with_data", "months_excluded", "exclusion_reason"]


def month_index(period: pd.Series) -> pd.Series:
    """``YYYY-MM`` → months since year 0 (consecutive months differ by 1); parsed once per distinct label."""
    codes, labels = pd.factorize(period)
    if (codes < 0).any():
        raise ValueError("a month label is missing")
    labels = pd.Series(labels, dtype=str)
    parsed = (labels.str.slice(0, 4).astype(int) * 12 + labels.str.slice(5, 7).astype(int) - 1).to_numpy()
    return pd.Series(parsed[codes], index=period.index, name=period.name)


def month_label(index: pd.Series | np.ndarray) -> pd.Series:
    index = pd.Series(index)
    return (index // 12).astype(str) + "-" + (index % 12 + 1).astype(str).str.zfill(2)


def period_of(index: pd.Series, period_type: str) -> pd.Series:
    """Label of the calendar quarter or year a month index falls in."""
    year = (index // 12).astype(str)
    if period_type == "quarter":
        return year + "-Q" + (index % 12 // 3 + 1).astype(str)
    return year


def previous_period(label: str) -> str:
    """The period of the same type just before ``label`` (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``)."""
    if "-Q" in label:
        year, quarter = int(label[:4]), int(label[-1])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if "-" in label:
        year, month = int(label[:4]), int(label[5:7])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    return str(int(label) - 1)


def windows(months: list[str], period_type: str, window_months: int = 1) -> pd.DataFrame:
    """Which months make up each period: columns period, month, end_month (the period's last month present).

    A month period's window reaches back ``window_months - 1`` months, as far as ``months`` go; a quarter or a
    year takes its months present in ``months``.
    """
    index = month_index(pd.Series(sorted(set(months)), dtype=str))
    if period_type == "month":
        first = int(index.min())
        parts = [pd.DataFrame({"end": index, "member": index - back}) for back in range(window_months)]
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[frame["member"] >= first]
        frame["period"] = month_label(frame["end"].to_numpy()).to_numpy()
    elif period_type in ("quarter", "year"):
        frame = pd.DataFrame({"member": index, "period": period_of(index, period_type)})
        frame["end"] = frame.groupby("period")["member"].transform("max")
    else:
        raise ValueError(f"unknown period type {period_type!r}; use one of {', '.join(PERIOD_TYPES)}")
    return pd.DataFrame({"period": frame["period"].to_numpy(),
                         "month": month_label(frame["member"].to_numpy()).to_numpy(),
                         "end_month": month_label(frame["end"].to_numpy()).to_numpy()})


def pools(values: pd.DataFrame, period_type: str, window_months: int = 1,
          exclusion_sets: Sequence[pd.DataFrame | None] = (None,), decay: float | None = None,
          periods: set[str] | None = None) -> list[pd.DataFrame]:
    """Pool monthly indicator values (``fct_indicator_value`` rows) into the periods of ``period_type`` (only
    those in ``periods`` when given), once for each set of ``exclusion_sets`` (the window is joined once).

    An exclusion set (dept_code, period = month, indicator_code, reason) lists monthly values that must not count
    (held, exempted or otherwise excluded): they are left out of the pool, counted in ``months_excluded`` and
    their reasons joined in ``exclusion_reason``. Each pool has one row per department × period × indicator
    applicable in the period's last month (columns ``POOLED_COLUMNS``); ``value`` is missing when no month had
    data. ``successes`` and ``sample_size`` are the pooled cases of a ``rate`` (``sample_size`` also counts the
    scores of a ``mean_of``).
    """
    keys = ["dept_code", "period", "indicator_code"]
    monthly = values.rename(columns={"period": "month"})
    window = windows(monthly["month"].unique().tolist(), period_type, window_months)
    if periods is not None:
        window = window[window["period"].isin(periods)]
    ends = window[["period", "end_month"]].drop_duplicates()
    catalogue = monthly.merge(ends, left_on="month", right_on="end_month")[keys + CATALOGUE_COLUMNS + ["target"]]
    members = monthly[["dept_code", "month", "indicator_code", "value", "denominator", "has_data"]].astype(
        {"value": float, "denominator": float, "has_data": bool})
    members = members.merge(window[["period", "month"]], on="month").merge(
        catalogue[keys + ["aggregation"]], on=keys)
    members["month_number"] = month_index(members["month"])
    members["age"] = month_index(members["period"].map(ends.set_index("period")["end_month"])) - members["month_number"]
    member_keys = None
    pooled = []
    for excluded in exclusion_sets:
        reasons = pd.Series(None, index=members.index, dtype=object)
        if excluded is not None and len(excluded):
            marks = (excluded.rename(columns={"period": "month"})
                     .groupby(["dept_code", "month", "indicator_code"])["reason"].agg("；".join))
            if member_keys is None:
                member_keys = pd.MultiIndex.from_frame(members[["dept_code", "month", "indicator_code"]])
            reasons = pd.Series(marks.reindex(member_keys).to_numpy(), index=members.index)
        pooled.append(_pooled(members.assign(reason=reasons), catalogue, keys, period_type, decay))
    return pooled


def _pooled(members: pd.DataFrame, catalogue: pd.DataFrame, keys: list[str], period_type: str,
            decay: float | None) -> pd.DataFrame:
    """The pool of the window's ``members`` (with each one's ``age`` in months and exclusion ``reason``)."""
    counted = members[members["has_data"] & members["reason"].isna()].sort_values("month_number")
    weighted = counted["aggregation"].isin(WEIGHTED) & (counted["denominator"] > 0)
    age = counted["age"]
    weight = decay ** age if decay and period_type == "month" else pd.Series(1.0, index=counted.index)
    trials = counted["denominator"] * weight
    counted = counted.assign(weight=weight, trials=trials.where(weighted), squares=(trials * weight).where(weighted),
                             weighted=(counted["value"] * trials).where(weighted), level=counted["value"] * weight,
                             last=counted["value"].where(age == 0))
    sums = counted.groupby(keys).agg(trials=("trials", "sum"), squares=("squares", "sum"), weighted=("weighted", "sum"),
                                     level=("level", "sum"), weights=("weight", "sum"), last=("last", "max"),
                                     months_with_data=("value", "size"))
    marked = members[members["reason"].notna()].sort_values("month")
    notes = marked.groupby(keys).agg(months_excluded=("month", "nunique"))
    notes["exclusion_reason"] = marked.drop_duplicates(keys + ["reason"]).groupby(keys)["reason"].agg("；".join)
    pooled = catalogue.join(sums, on=keys).join(notes, on=keys)
    aggregation = pooled["aggregation"]
    trials = pooled["trials"].where(pooled["trials"] > 0)
    pooled["value"] = np.select([aggregation.isin(WEIGHTED), aggregation.eq("latest")],
                                [pooled["weighted"] / trials, pooled["last"]], pooled["level"] / pooled["weights"])
    effective = trials ** 2 / pooled["squares"].where(pooled["squares"] > 0)
    pooled["sample_size"] = effective.where(aggregation.isin(("rate", "mean_of")))
    pooled["successes"] = (pooled["value"] / 100 * effective).where(aggregation.eq("rate") & trials.notna())
    pooled["months_with_data"] = pooled["months_with_data"].fillna(0).astype(int)
    pooled["months_excluded"] = pooled["months_excluded"].fillna(0).astype(int)
    pooled["period_type"] = period_type
    return pooled[POOLED_COLUMNS].reset_index(drop=True)
