"""Property tests: range, monotonicity, row-order invariance, contributions."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.scoring import score

LOW, HIGH = 1.0, 100.0
BOUNDED = {
    "goalposts": {"method": "goalposts", "lower": -50, "upper": 50},
    "ratio_to_target": {"method": "ratio_to_target", "target": 40},
    "minmax": {"method": "minmax"},
    "rank": {"method": "rank"},
    "distance_to_frontier": {"method": "distance_to_frontier", "form": "range"},
    "thresholds": {"method": "thresholds"},
}
INDICATORS = ("i0", "i1", "i2")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def normalisation(name, direction):
    params = dict(BOUNDED[name], range=[LOW, HIGH])
    if name == "thresholds":
        red_flag, goal = (-20, 60) if direction == "higher" else (60, -20)
        params.update(red_flag=red_flag, goal=goal)
    return params


@st.composite
def scored_inputs(draw, methods=tuple(BOUNDED), root_methods=("arithmetic", "geometric", "harmonic")):
    indicators = {}
    for ind in INDICATORS:
        direction = draw(st.sampled_from(["higher", "lower"]))
        name = draw(st.sampled_from(methods))
        body = {"direction": direction}
        body["normalise"] = {"method": "zscore", "mean": 50, "sd": 10} if name == "zscore" else normalisation(name, direction)
        if draw(st.booleans()):
            body["transform"] = {"method": "log", "variant": "ct"}
        indicators[ind] = body
    spec = {
        "version": 1,
        "reference": draw(st.sampled_from(["period", "pooled"])),
        "indicators": indicators,
        "nodes": {
            "root": {"method": draw(st.sampled_from(root_methods)), "children": {"g": 2, "i2": 1}},
            "g": {"children": {"i0": draw(st.integers(1, 3)), "i1": 1}, "min_coverage": draw(st.sampled_from([0, 0.5, 1]))},
        },
    }
    n_units, n_periods = draw(st.integers(2, 6)), draw(st.integers(1, 2))
    value = st.one_of(st.just(np.nan), st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 2)))
    rows = [(f"u{u}", p, ind, draw(value)) for u in range(n_units) for p in range(n_periods) for ind in INDICATORS]
    values = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    for ind in INDICATORS:  # every indicator needs at least one value somewhere
        if values.loc[values.indicator == ind, "value"].isna().all():
            values.loc[values.indicator == ind, "value"] = draw(st.floats(-100, 100, allow_nan=False))
    return spec, values


@SETTINGS
@given(scored_inputs())
def test_bounded_scores_stay_in_range(inputs):
    spec, values = inputs
    result = score(values, spec)
    for frame in (result.normalised, result.scores):
        present = frame.to_numpy()[~np.isnan(frame.to_numpy())]
        assert ((present >= LOW - 1e-9) & (present <= HIGH + 1e-9)).all()


def improve(values, spec, data):
    present = values.index[values["value"].notna()]
    at = data.draw(st.sampled_from(list(present)))
    step = data.draw(st.floats(0.01, 300))
    better = values.copy()
    sign = 1 if spec["indicators"][better.at[at, "indicator"]].get("direction") == "higher" else -1
    better.at[at, "value"] += sign * step
    return better, (better.at[at, "unit"], better.at[at, "period"])


@SETTINGS
@given(scored_inputs(methods=tuple(BOUNDED) + ("zscore",), root_methods=("arithmetic",)), st.data())
def test_improving_an_indicator_never_lowers_the_composite(inputs, data):
    spec, values = inputs
    better, key = improve(values, spec, data)
    before, after = score(values, spec).top[key], score(better, spec).top[key]
    assert np.isnan(before) == np.isnan(after)
    assert np.isnan(before) or after >= before - 1e-9


@SETTINGS
@given(scored_inputs(root_methods=("geometric", "harmonic")), st.data())
def test_monotone_through_geometric_and_harmonic_roots(inputs, data):
    spec, values = inputs
    better, key = improve(values, spec, data)
    before, after = score(values, spec).top[key], score(better, spec).top[key]
    assert np.isnan(before) or after >= before - 1e-9


@SETTINGS
@given(scored_inputs(methods=tuple(BOUNDED) + ("zscore",)), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(inputs, rnd):
    spec, values = inputs
    order = list(range(len(values)))
    rnd.shuffle(order)
    a, b = score(values, spec), score(values.iloc[order], spec)
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    np.testing.assert_array_equal(a.contributions.to_numpy(), b.contributions.to_numpy())
    assert a.scores.index.equals(b.scores.index)


@SETTINGS
@given(scored_inputs())
def test_indicator_contributions_add_up_to_the_top_score(inputs):
    spec, values = inputs
    result = score(values, spec)
    total = result.contributions[list(INDICATORS)].sum(axis=1, min_count=1)
    np.testing.assert_allclose(total.to_numpy(), result.top.to_numpy(), rtol=1e-9, atol=1e-9)
