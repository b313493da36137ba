"""End-to-end scoring: hand-computed scores, contributions, flags and the exclusion seam."""

import numpy as np
import pandas as pd
import pytest

from jixiao.scoring import ScoringError, score

NAN = np.nan


def long_values(rows):
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


@pytest.fixture
def values():
    # u1: a 90 -> 90, b 4 (lower, 0-10) -> 60, c 40 / 50 -> 80
    # u2: a missing, b 10 -> 0, c 60 / 50 -> capped 100
    return long_values([
        ("u1", 2024, "a", 90), ("u1", 2024, "b", 4), ("u1", 2024, "c", 40),
        ("u2", 2024, "a", NAN), ("u2", 2024, "b", 10), ("u2", 2024, "c", 60),
    ])


def test_scores_and_contributions_by_hand(values, spec_dict):
    result = score(values, spec_dict)
    assert result.scores.loc[("u1", 2024), "g1"] == pytest.approx(75)
    assert result.top[("u1", 2024)] == pytest.approx((3 * 75 + 80) / 4)
    u1 = result.contributions.loc[("u1", 2024)]
    assert u1[["a", "b", "c"]].tolist() == pytest.approx([33.75, 22.5, 20])
    assert u1["g1"] == pytest.approx(56.25) and u1["root"] == pytest.approx(76.25)
    assert result.effective_weights.loc[("u1", 2024), ["a", "b", "c"]].tolist() == pytest.approx([0.375, 0.375, 0.25])


def test_missing_indicator_renormalises_and_is_flagged(values, spec_dict):
    result = score(values, spec_dict)
    assert result.scores.loc[("u2", 2024), "g1"] == 0
    assert result.coverage.loc[("u2", 2024), "g1"] == 0.5
    assert result.status.loc[("u2", 2024), "g1"] == "renormalised"
    assert result.top[("u2", 2024)] == pytest.approx(25)
    assert np.isnan(result.contributions.loc[("u2", 2024), "a"])
    long = result.to_long().set_index(["unit", "item"])
    assert long.loc[("u2", "a"), "status"] == "missing"
    assert long.loc[("u2", "g1"), "status"] == "renormalised"
    assert long.loc[("u1", "b"), "weight"] == 0.5 and long.loc[("u1", "g1"), "weight"] == 0.75


def test_min_coverage_makes_the_node_missing_with_reason(values, spec_dict):
    spec_dict["nodes"]["g1"]["min_coverage"] = 0.6
    result = score(values, spec_dict)
    assert np.isnan(result.scores.loc[("u2", 2024), "g1"])
    assert result.status.loc[("u2", 2024), "g1"] == "below_min_coverage"
    assert result.top[("u2", 2024)] == pytest.approx(100)  # root renormalised onto c
    assert np.isnan(result.contributions.loc[("u2", 2024), "b"])


def test_exclusion_takes_out_exactly_that_contribution(values, spec_dict):
    exclusions = pd.DataFrame({"unit": ["u1"], "period": [2024], "indicator": ["b"], "reason": ["容错: flood"]})
    before = score(values, spec_dict)
    after = score(values, spec_dict, exclusions)
    assert after.scores.loc[("u1", 2024), "g1"] == pytest.approx(90)
    assert after.coverage.loc[("u1", 2024), "g1"] == 1.0
    assert after.status.loc[("u1", 2024), "g1"] == "ok"
    assert after.top[("u1", 2024)] == pytest.approx((3 * 90 + 80) / 4)
    assert np.isnan(after.contributions.loc[("u1", 2024), "b"])
    pd.testing.assert_series_equal(after.scores.loc["u2"].iloc[0], before.scores.loc["u2"].iloc[0])
    pd.testing.assert_frame_equal(after.normalised, before.normalised)
    long = after.to_long().set_index(["unit", "item"])
    assert long.loc[("u1", "b"), "status"] == "excluded"
    assert long.loc[("u1", "b"), "excluded_reason"] == "容错: flood"


def test_exclusion_that_matches_nothing_is_an_error(values, spec_dict):
    bad = pd.DataFrame({"unit": ["u1"], "period": ["2024"], "indicator": ["b"]})
    with pytest.raises(ScoringError, match="match no scored"):
        score(values, spec_dict, bad)


def test_contributions_sum_to_the_top_score_through_geometric_nodes(values, spec_dict):
    spec_dict["nodes"]["root"]["method"] = "geometric"
    spec_dict["indicators"]["b"]["normalise"]["range"] = [1, 100]
    result = score(values, spec_dict)
    indicator_sum = result.contributions[["a", "b", "c"]].sum(axis=1, min_count=1)
    np.testing.assert_allclose(indicator_sum, result.top)
    u1 = result.scores.loc[("u1", 2024)]
    assert u1["root"] == pytest.approx(u1["g1"] ** 0.75 * 80**0.25)
    assert result.contributions.loc[("u1", 2024), "g1"] + result.contributions.loc[("u1", 2024), "c"] == pytest.approx(u1["root"])


def test_wide_input_matches_long(values, spec_dict):
    wide = values.pivot(index=["unit", "period"], columns="indicator", values="value").reset_index()
    pd.testing.assert_frame_equal(score(wide, spec_dict).scores, score(values, spec_dict).scores)


def test_spec_column_names_are_used(values, spec_dict):
    spec_dict["columns"] = {"unit": "dept_code", "period": "month", "indicator": "code", "value": "v"}
    renamed = values.rename(columns={"unit": "dept_code", "period": "month", "indicator": "code", "value": "v"})
    result = score(renamed, spec_dict)
    assert result.scores.index.names == ["dept_code", "month"]
    assert result.top[("u1", 2024)] == pytest.approx(76.25)


def test_reference_per_period_or_pooled(spec_dict):
    spec_dict["indicators"]["a"]["normalise"] = {"method": "minmax"}
    values = long_values([
        ("u1", 1, "a", 0), ("u2", 1, "a", 10), ("u1", 2, "a", 10), ("u2", 2, "a", 20),
    ] + [(u, p, i, 5) for u in ("u1", "u2") for p in (1, 2) for i in ("b", "c")])
    per_period = score(values, spec_dict).normalised["a"]
    assert per_period.loc["u1"].tolist() == [0, 0] and per_period.loc["u2"].tolist() == [100, 100]
    spec_dict["reference"] = "pooled"
    pooled = score(values, spec_dict).normalised["a"]
    assert pooled.loc["u1"].tolist() == [0, 50] and pooled.loc["u2"].tolist() == [50, 100]


def test_winsorised_points_are_listed_by_unit_and_period(spec_dict):
    spec_dict["indicators"]["a"] = {"transform": {"method": "winsorise"}, "normalise": {"method": "minmax"}}
    raw = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]
    values = long_values([(f"u{i:02d}", 2024, "a", v) for i, v in enumerate(raw)]
                         + [(f"u{i:02d}", 2024, i_id, 5) for i in range(12) for i_id in ("b", "c")])
    result = score(values, spec_dict)
    assert result.winsorised.to_dict("records") == [
        {"unit": "u11", "period": 2024, "indicator": "a", "original": 100.0, "treated": 30.0, "side": "high"}
    ]
    assert result.treated.loc[("u11", 2024), "a"] == 30
    assert result.raw.loc[("u11", 2024), "a"] == 100
    assert result.treatments["points"].tolist() == [1]
    assert result.to_long().set_index(["unit", "item"]).loc[("u11", "a"), "winsorised"]


def test_input_errors_say_what_to_do(values, spec_dict):
    with pytest.raises(ScoringError, match="deduplicate"):
        score(pd.concat([values, values.head(1)]), spec_dict)
    bad = values.astype({"value": object})
    bad.loc[0, "value"] = "n/a"
    with pytest.raises(ScoringError, match="not numbers"):
        score(bad, spec_dict)
    with pytest.raises(ScoringError, match=r"\['c'\].*no rows"):
        score(values[values.indicator != "c"], spec_dict)
    with pytest.raises(ScoringError, match="no column"):
        score(values.drop(columns="period"), spec_dict)


def test_unknown_indicators_are_ignored_and_reported(values, spec_dict):
    extra = pd.concat([values, long_values([("u1", 2024, "zzz", 1)])])
    result = score(extra, spec_dict)
    assert result.ignored_indicators == ("zzz",)
    pd.testing.assert_frame_equal(result.scores, score(values, spec_dict).scores)


def test_geometric_error_names_the_node(values, spec_dict):
    spec_dict["nodes"]["root"]["method"] = "geometric"
    with pytest.raises(ScoringError, match=r"node 'root'.*child 'g1'"):
        score(values, spec_dict)
