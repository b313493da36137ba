"""Scoring periods: months pooled into the window each published score is computed on.

Three period types (``scoring/DEPARTMENT.md``): ``month`` (label ``YYYY-MM``; the window is that month and
the ``window_months - 1`` months before it in the same data), ``quarter`` (``YYYY-Qn``, its three months) and
``year`` (``YYYY``, its months). A period is scored with the catalogue in force in its last month.

Each indicator pools the months of a window by its catalogue ``aggregation``:

- ``rate``, ``share``, ``mean_of``: mean of the monthly values weighted by their denominators, i.e.
  Σ numerator / Σ denominator (× 100 for rates and shares) over the months with data, computed from the
  bounded monthly values; ``rate`` also keeps the number of successes and trials for the credibility weighting;
- ``monthly_mean``: mean of the monthly values with data;
- ``latest``: the value of the period's last month — year-to-date and cumulative figures (which the
  warehouse carries forward through months without activity).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PERIOD_TYPES = ("month", "quarter", "year")
WEIGHTED = ("rate", "share", "mean_of")
CATALOGUE_COLUMNS = ["indicator_version", "indicator_name", "dimension", "goal_code", "direction", "weight",
                     "self_reported", "scored_in", "aggregation", "independent_indicators"]
POOLED_COLUMNS = ["dept_code", "period_type", "period", "indicator_code", *CATALOGUE_COLUMNS, "target", "value",
                  "successes", "sample_size", "months_with_data", "months_excluded", "exclusion_reason"]


def month_index(period: pd.Series) -> pd.Series:
    """``YYYY-MM`` → months since year 0 (consecutive months differ by 1)."""
    return period.str.slice(0, 4).astype(int) * 12 + period.str.slice(5, 7).astype(int) - 1


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


def pool(values: pd.DataFrame, period_type: str, window_months: int = 1,
         excluded: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pool monthly indicator values (``fct_indicator_value`` rows) into the periods of ``period_type``.

    ``excluded`` (dept_code, period = month, indicator_code, reason) lists monthly values that must not count
    (held, exempted or otherwise excluded): they are left out of the pool, counted in ``months_excluded`` and
    their reasons joined in ``exclusion_reason``. Returns one row per department × period × indicator applicable
    in the period's last month (columns ``POOLED_COLUMNS``); ``value`` is missing when no month had data.
    ``successes`` and ``sample_size`` are the pooled cases of a ``rate`` (``sample_size`` also counts the scores
    of a ``mean_of``).
    """
    keys = ["dept_code", "period", "indicator_code"]
    monthly = values.rename(columns={"period": "month"})
    window = windows(monthly["month"].unique().tolist(), period_type, window_months)
    ends = window[["period", "end_month"]].drop_duplicates()
    catalogue = monthly.merge(ends, left_on="month", right_on="end_month")[keys + CATALOGUE_COLUMNS + ["target"]]
    members = monthly[["dept_code", "month", "indicator_code", "value", "denominator", "has_data"]]
    members = members.merge(window[["period", "month"]], on="month").merge(
        catalogue[keys + ["aggregation"]], on=keys)
    reasons = pd.Series(None, index=members.index, dtype=object)
    if excluded is not None and len(excluded):
        marks = (excluded.rename(columns={"period": "month"})
                 .groupby(["dept_code", "month", "indicator_code"])["reason"].agg("；".join))
        reasons = pd.Series(marks.reindex(pd.MultiIndex.from_frame(members[["dept_code", "month", "indicator_code"]]))
                            .to_numpy(), index=members.index)
    members = members.assign(reason=reasons)
    counted = members[members["has_data"] & members["reason"].isna()].sort_values("month")
    weighted = counted["aggregation"].isin(WEIGHTED) & (counted["denominator"] > 0)
    counted = counted.assign(trials=counted["denominator"].where(weighted),
                             weighted=(counted["value"] * counted["denominator"]).where(weighted))
    ends_of = window[["period", "end_month"]].drop_duplicates().set_index("period")["end_month"]
    at_end = counted["month"].to_numpy() == counted["period"].map(ends_of).to_numpy()
    counted = counted.assign(last=counted["value"].where(at_end))
    sums = counted.groupby(keys).agg(trials=("trials", "sum"), weighted=("weighted", "sum"), mean=("value", "mean"),
                                     last=("last", "max"), months_with_data=("value", "size"))
    marked = members[members["reason"].notna()].sort_values("month")
    notes = marked.groupby(keys).agg(months_excluded=("month", "nunique"))
    notes["exclusion_reason"] = marked.drop_duplicates(keys + ["reason"]).groupby(keys)["reason"].agg("；".join)
    pooled = catalogue.join(sums, on=keys).join(notes, on=keys)
    aggregation = pooled["aggregation"]
    trials = pooled["trials"].where(pooled["trials"] > 0)
    pooled["value"] = np.select([aggregation.isin(WEIGHTED), aggregation.eq("latest")],
                                [pooled["weighted"] / trials, pooled["last"]], pooled["mean"])
    pooled["successes"] = (pooled["weighted"] / 100).where(aggregation.eq("rate") & trials.notna())
    pooled["sample_size"] = trials.where(aggregation.isin(("rate", "mean_of")))
    pooled["months_with_data"] = pooled["months_with_data"].fillna(0).astype(int)
    pooled["months_excluded"] = pooled["months_excluded"].fillna(0).astype(int)
    pooled["period_type"] = period_type
    return pooled[POOLED_COLUMNS].reset_index(drop=True)
