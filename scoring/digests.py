"""Which scoring periods must be scored again: a digest of each period's inputs (incremental scoring).

A period's score depends only on the months of its window (a quarter's or a year's own months; a month period's
month and the months its window reaches back) — their ``fct_indicator_value`` rows and monthly exclusions — and
on what every period shares: the departments (type, peer group), the 容错 registry, the goals, the scoring
config and the engine's own code. A period's digest combines the digests of its months with the shared one, so a
build scores again only the periods whose digest changed (a new month, a late event, a review decision) and
keeps the rows of the others.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from jixiao.scoring.periods import windows

ENGINE_FILES = sorted(Path(__file__).parent.glob("*.py"))


FLOAT_DECIMALS = 9
"""Floats are hashed at this many decimals: DuckDB's parallel sums of doubles differ from build to build in the
last bits (≈1e-14 of a percentage), which must not count as a change; scores are published at one decimal."""


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One uint64 per row over every column (by name, so column order does not matter)."""
    frame = frame[sorted(frame.columns)]
    floats = frame.select_dtypes("float").columns
    if len(floats):
        frame = frame.assign(**{c: frame[c].round(FLOAT_DECIMALS) for c in floats})
    return pd.util.hash_pandas_object(frame, index=False)


def month_digests(frame: pd.DataFrame, month_column: str = "period") -> pd.Series:
    """Order-independent digest (sum of row hashes modulo 2**64) of the rows of each month."""
    if frame.empty:
        return pd.Series(dtype="uint64")
    return _row_hashes(frame).groupby(frame[month_column].to_numpy()).sum()


def shared_digest(departments: pd.DataFrame, exemptions: pd.DataFrame, goals: pd.DataFrame, config: dict) -> str:
    """Digest of what every period's score depends on: departments, 容错 registry, goals, config, engine code."""
    parts = [np.uint64(_row_hashes(f).sum()) if len(f) else np.uint64(0) for f in (departments, exemptions, goals)]
    text = json.dumps(config, sort_keys=True, default=str, ensure_ascii=False)
    code = b"".join(path.read_bytes() for path in ENGINE_FILES)
    digest = hashlib.sha256(text.encode() + code)
    for part, frame in zip(parts, (departments, exemptions, goals)):
        digest.update(f"{','.join(sorted(frame.columns))}:{len(frame)}:{int(part)}".encode())
    return digest.hexdigest()


def period_digests(values: pd.DataFrame, exclusions: pd.DataFrame, shared: str, config: dict) -> pd.DataFrame:
    """period_type, period, inputs_digest for every period the values make up (the period types of ``config``)."""
    months = sorted(values["period"].unique().tolist())
    if not months:
        return pd.DataFrame(columns=["period_type", "period", "inputs_digest"])
    of_values, of_exclusions = month_digests(values), month_digests(exclusions)
    month_text = {m: f"{m}:{int(of_values.get(m, 0))}:{int(of_exclusions.get(m, 0))}" for m in months}
    rows = []
    for period_type in config["periods"]["types"]:
        window = config["periods"]["month_window"] if period_type == "month" else 1
        members = windows(months, period_type, window).sort_values(["period", "month"])
        for period, group in members.groupby("period", sort=True):
            text = "|".join([shared, period_type, period, *(month_text[m] for m in group["month"])])
            rows.append((period_type, period, hashlib.sha256(text.encode()).hexdigest()))
    return pd.DataFrame(rows, columns=["period_type", "period", "inputs_digest"])


def periods_to_score(current: pd.DataFrame, stored: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(periods whose digest is new or changed, stored periods that no longer exist) — both period_type, period."""
    keys = ["period_type", "period"]
    merged = current.merge(stored[keys + ["inputs_digest"]].drop_duplicates(), on=keys, how="left",
                           suffixes=("", "_stored"))
    changed = merged.loc[merged["inputs_digest"] != merged["inputs_digest_stored"], keys]
    gone = stored[keys].drop_duplicates().merge(current[keys], on=keys, how="left", indicator=True)
    return changed.reset_index(drop=True), gone.loc[gone["_merge"] == "left_only", keys].reset_index(drop=True)


def replace_changed_periods(session, this, current: pd.DataFrame) -> pd.DataFrame | None:
    """In an incremental dbt Python model: delete from ``this`` the rows of the periods whose digest changed or
    that no longer exist, and return the periods to score again (None: every period, after deleting all rows,
    when ``this`` has no ``inputs_digest`` yet)."""
    if "inputs_digest" not in session.sql(f"select * from {this} limit 0").columns:
        session.execute(f"delete from {this}")
        return None
    stored = session.sql(f"select distinct period_type, period, inputs_digest from {this}").df()
    changed, gone = periods_to_score(current, stored)
    doomed = pd.concat([changed, gone], ignore_index=True)
    if len(doomed):
        session.register("jx_periods_to_replace", doomed)
        session.execute(f"delete from {this} where (period_type, period) in "
                        "(select (period_type, period) from jx_periods_to_replace)")
        session.unregister("jx_periods_to_replace")
    return changed
