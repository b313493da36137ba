"""Benchmark: score the M scale (5,000 units x 40 indicators x 24 periods, ~4.8M values).

Three-level hierarchy (root -> 5 dimensions -> 10 goals -> 40 indicators) with a
mix of normalisations, log and winsorising transforms, 3% missing values and a
geometric root. Prints seconds and values/s for ``score`` and for ``to_long``.

    PYTHONPATH=. .venv/bin/python benchmarks/scoring/bench_scoring.py [--units N] [--periods N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from jixiao.scoring import score

N_INDICATORS = 40
NORMALISATIONS = [
    {"method": "goalposts", "lower": 0, "upper": 100},
    {"method": "ratio_to_target", "target": 80, "cap": 1.0},
    {"method": "minmax", "range": [1, 100]},
    {"method": "rank", "range": [1, 100]},
    {"method": "distance_to_frontier", "form": "range"},
    {"method": "thresholds", "red_flag": 20, "goal": 90},
]


def make_spec() -> dict:
    indicators = {}
    for i in range(N_INDICATORS):
        body = {"direction": "lower" if i % 7 == 3 else "higher", "normalise": NORMALISATIONS[i % len(NORMALISATIONS)]}
        if body["direction"] == "lower" and body["normalise"]["method"] == "thresholds":
            body["normalise"] = {"method": "thresholds", "red_flag": 90, "goal": 20}
        if i % 5 == 0:
            body["transform"] = [{"method": "winsorise", "max_points": 5}]
        elif i % 5 == 1:
            body["transform"] = [{"method": "log", "variant": "ct"}]
        indicators[f"ind{i:02d}"] = body
    nodes = {"index": {"method": "geometric", "children": {f"dim{d}": 1 + d % 2 for d in range(5)}}}
    for d in range(5):
        nodes[f"dim{d}"] = {"children": {f"goal{d}{g}": 1 for g in range(2)}, "min_coverage": 0.5}
        for g in range(2):
            first = (d * 2 + g) * 4
            nodes[f"goal{d}{g}"] = {"children": {f"ind{i:02d}": 1 + i % 3 for i in range(first, first + 4)}}
    return {"version": 1, "indicators": indicators, "nodes": nodes}


def make_values(n_units: int, n_periods: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_units * n_periods * N_INDICATORS
    units = np.array([f"D{u:05d}" for u in range(n_units)], dtype=object)
    values = rng.gamma(4.0, 12.0, size=n)
    values[rng.random(n) < 0.03] = np.nan
    # plant a few extreme outliers in the winsorised indicators (every 5th) so the JRC rule fires
    outliers = rng.choice(n // N_INDICATORS, size=n_units * n_periods // 1000, replace=False) * N_INDICATORS
    values[outliers + 5 * rng.integers(0, N_INDICATORS // 5, size=outliers.size)] *= 40
    return pd.DataFrame(
        {
            "unit": np.repeat(units, n_periods * N_INDICATORS),
            "period": np.tile(np.repeat([f"2024-{p:02d}" for p in range(n_periods)], N_INDICATORS), n_units),
            "indicator": np.tile([f"ind{i:02d}" for i in range(N_INDICATORS)], n_units * n_periods),
            "value": values,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--periods", type=int, default=24)
    args = parser.parse_args()
    spec = make_spec()
    values = make_values(args.units, args.periods)
    n = len(values)

    start = time.perf_counter()
    result = score(values, spec)
    scored = time.perf_counter() - start
    start = time.perf_counter()
    long = result.to_long()
    flattened = time.perf_counter() - start

    print(f"values: {n:,} ({args.units} units x {N_INDICATORS} indicators x {args.periods} periods)")
    print(f"score():   {scored:.2f} s  ({n / scored:,.0f} values/s)")
    print(f"to_long(): {flattened:.2f} s  ({len(long):,} rows)")
    print(f"winsorised points: {len(result.winsorised):,}; root scored: {int(result.top.notna().sum()):,}")


if __name__ == "__main__":
    main()
