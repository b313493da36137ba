"""Consecutive anomalies (连续异常): control limits per department × indicator from its own history and its peers.

A month is *outside* when its value lies beyond ``sigma`` standard deviations, on the same side, of both
- the series' own in-control history (mean ± σ·sd, sd at least ``relative_sigma_floor`` × |mean|; judged once
  ``min_history`` in-control months exist), and
- its peers in the same month (departments of the same type reporting the indicator: median ± σ·1.4826·MAD;
  a month with fewer than ``min_peers`` peers, or peers without spread, is not judged).
``run_length`` outside months in a row (consecutive calendar months) raise **one** alert for the run, in the month
the run reaches that length; outside months never enter the history, so a long run cannot pull the limits along.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

RUN_COLUMNS = {"dept_code": "string", "indicator_code": "string", "dept_type": "string", "run_start": "string",
               "alert_period": "string", "run_end": "string", "run_months": "int64", "is_open": "bool",
               "recovered_period": "string", "direction": "string", "values": "string", "own_centre": "float64",
               "own_sigma": "float64", "peer_centre": "float64", "peer_sigma": "float64", "lower_limit": "float64",
               "upper_limit": "float64", "alert_value": "float64", "history_months": "int64"}
"""One row per run: its months and values (a JSON list), the limits in force when the alert was raised, how it ended."""


def peer_limits(values: pd.DataFrame) -> pd.DataFrame:
    """Median, robust sigma (1.4826 × MAD) and count of each (dept_type, indicator_code, period_month)."""
    keys = ["dept_type", "indicator_code", "period_month"]
    grouped = values.groupby(keys)["value"]
    median = grouped.transform("median")
    mad = (values["value"] - median).abs().groupby([values[k] for k in keys]).transform("median")
    return values.assign(peer_centre=median, peer_sigma=1.4826 * mad, peers=grouped.transform("count"))


def _month_index(period_month: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(period_month)
    return (stamps.dt.year * 12 + stamps.dt.month).to_numpy()


def find_runs(values: pd.DataFrame, config: dict) -> pd.DataFrame:
    """Runs of consecutive out-of-control months that reached ``run_length``: one row per run (see RUN_COLUMNS).

    ``values``: dept_code, dept_type, indicator_code, period_month (first day of month), value.
    """
    if values.empty:
        return _table([])
    sigma, floor = float(config["sigma"]), float(config["relative_sigma_floor"])
    min_history, min_peers, run_length = int(config["min_history"]), int(config["min_peers"]), int(config["run_length"])
    charted = peer_limits(values)
    # A month inside its peers' limits (or not judged against them) is in control whatever its own history says,
    # so only series with a month beyond the peers' limits are walked month by month; the others raise nothing.
    half_width = sigma * charted["peer_sigma"]
    beyond_peers = (charted["peers"] >= min_peers) & (half_width > 0) & \
        ((charted["value"] - charted["peer_centre"]).abs() > half_width)
    candidates = charted.loc[beyond_peers, ["dept_code", "indicator_code"]].drop_duplicates()
    charted = charted.merge(candidates, on=["dept_code", "indicator_code"]) \
        .sort_values(["dept_code", "indicator_code", "period_month"])
    charted["month"] = _month_index(charted["period_month"])
    runs = []
    for (dept_code, indicator_code), series in charted.groupby(["dept_code", "indicator_code"], sort=False):
        history: list[float] = []
        run: list[dict] = []
        previous_month = None
        for row in series.itertuples(index=False):
            if run and previous_month is not None and row.month != previous_month + 1:
                runs.append(_close(run, None, run_length))
                run = []
            previous_month = row.month
            point = _judge(row, history, sigma, floor, min_history, min_peers)
            if point is None:
                if run:
                    runs.append(_close(run, row.period_month, run_length))
                    run = []
                history.append(float(row.value))
            else:
                run.append({**point, "dept_code": dept_code, "indicator_code": indicator_code,
                            "dept_type": row.dept_type, "period_month": row.period_month,
                            "value": float(row.value), "history_months": len(history)})
        if run:
            runs.append(_close(run, None, run_length, is_open=True))
    return _table([r for r in runs if r is not None])


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(RUN_COLUMNS)).astype(RUN_COLUMNS)


def _judge(row, history: list[float], sigma: float, floor: float, min_history: int, min_peers: int) -> dict | None:
    """The limits a point broke, or None when it is in control (or cannot be judged yet)."""
    if len(history) < min_history:
        return None
    if row.peers < min_peers or not row.peer_sigma > 0:
        return None
    centre = float(np.mean(history))
    spread = max(float(np.std(history, ddof=1)) if len(history) > 1 else 0.0, floor * abs(centre))
    value = float(row.value)
    own_side = _side(value, centre, sigma * spread)
    if own_side == 0 or own_side != _side(value, row.peer_centre, sigma * row.peer_sigma):
        return None
    lower = min(centre - sigma * spread, row.peer_centre - sigma * row.peer_sigma)
    upper = max(centre + sigma * spread, row.peer_centre + sigma * row.peer_sigma)
    return {"own_centre": centre, "own_sigma": spread, "peer_centre": float(row.peer_centre),
            "peer_sigma": float(row.peer_sigma), "lower_limit": lower, "upper_limit": upper,
            "direction": "above" if own_side > 0 else "below"}


def _side(value: float, centre: float, half_width: float) -> int:
    """+1 above centre + half_width, −1 below centre − half_width, 0 within (a zero width judges nothing)."""
    if half_width <= 0 or abs(value - centre) <= half_width:
        return 0
    return 1 if value > centre else -1


def _close(run: list[dict], recovered_month, run_length: int, is_open: bool = False) -> dict | None:
    """One row for a run that reached ``run_length`` (None for shorter runs)."""
    if len(run) < run_length:
        return None
    alert = run[run_length - 1]
    label = lambda month: pd.Timestamp(month).strftime("%Y-%m")  # noqa: E731
    return {"dept_code": alert["dept_code"], "indicator_code": alert["indicator_code"], "dept_type": alert["dept_type"],
            "run_start": label(run[0]["period_month"]), "alert_period": label(alert["period_month"]),
            "run_end": label(run[-1]["period_month"]), "run_months": len(run), "is_open": is_open,
            "recovered_period": label(recovered_month) if recovered_month is not None else None,
            "direction": run[0]["direction"], "values": json.dumps([round(p["value"], 4) for p in run]),
            **{k: alert[k] for k in ("own_centre", "own_sigma", "peer_centre", "peer_sigma", "lower_limit", "upper_limit")},
            "alert_value": alert["value"], "history_months": alert["history_months"]}
