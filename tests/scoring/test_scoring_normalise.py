"""Hand-computed checks for every normalisation method."""

import numpy as np
import pytest

from jixiao.scoring.errors import ScoringError
from jixiao.scoring.groups import Groups
from jixiao.scoring.normalise import (
    distance_to_frontier,
    goalposts,
    minmax,
    percentile_rank,
    ratio_to_target,
    thresholds,
    zscore,
)

NAN = np.nan
ONE = Groups.single


def two_groups():
    """Rows 0-2 are group A, rows 3-4 group B."""
    return Groups.from_sorted_codes(np.array([0, 0, 0, 1, 1]))


def test_minmax_per_group_and_direction():
    x = np.array([1.0, 3.0, 5.0, 10.0, 20.0])
    np.testing.assert_allclose(minmax(x, two_groups(), "higher"), [0, 50, 100, 0, 100])
    np.testing.assert_allclose(minmax(x, two_groups(), "lower"), [100, 50, 0, 100, 0])
    np.testing.assert_allclose(minmax(x, two_groups(), "higher", range=[1, 100]), [1, 50.5, 100, 1, 100])


def test_minmax_keeps_missing_and_neutral_when_no_spread():
    np.testing.assert_allclose(minmax(np.array([1.0, NAN, 5.0]), ONE(3), "higher"), [0, NAN, 100])
    np.testing.assert_allclose(minmax(np.array([7.0, 7.0]), ONE(2), "higher"), [50, 50])
    np.testing.assert_allclose(minmax(np.array([NAN, NAN]), ONE(2), "higher"), [NAN, NAN])


def test_zscore_uses_sample_sd_and_scaling():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(zscore(x, ONE(3), "higher"), [-1, 0, 1])
    np.testing.assert_allclose(zscore(x, ONE(3), "lower"), [1, 0, -1])
    np.testing.assert_allclose(zscore(x, ONE(3), "higher", mean=50, sd=10), [40, 50, 60])
    np.testing.assert_allclose(zscore(np.array([4.0, 4.0, NAN]), ONE(3), "higher", mean=10, sd=2), [10, 10, NAN])


def test_percentile_rank_averages_ties():
    x = np.array([10.0, 30.0, 20.0, 20.0, NAN])
    np.testing.assert_allclose(percentile_rank(x, ONE(5), "higher"), [0, 100, 50, 50, NAN])
    np.testing.assert_allclose(percentile_rank(x, ONE(5), "lower"), [100, 0, 50, 50, NAN])
    np.testing.assert_allclose(percentile_rank(np.array([3.0, 1.0, 2.0, 9.0, 8.0]), two_groups(), "higher"),
                               [100, 0, 50, 100, 0])
    np.testing.assert_allclose(percentile_rank(np.array([5.0]), ONE(1), "higher"), [50])


def test_goalposts_clip_and_direction():
    x = np.array([20.0, 85.0, 52.5, 90.0, 10.0, NAN])
    np.testing.assert_allclose(goalposts(x, None, "higher", lower=20, upper=85), [0, 100, 50, 100, 0, NAN])
    np.testing.assert_allclose(goalposts(x, None, "lower", lower=20, upper=85), [100, 0, 50, 0, 100, NAN])
    unclipped = goalposts(np.array([90.0]), None, "higher", lower=20, upper=85, clip=False)
    np.testing.assert_allclose(unclipped, [100 * 70 / 65])
    np.testing.assert_allclose(goalposts(np.array([52.5]), None, "higher", lower=20, upper=85, range=[0, 1]), [0.5])


def test_ratio_to_target_higher():
    x = np.array([40.0, 80.0, 100.0, -5.0, NAN])
    np.testing.assert_allclose(ratio_to_target(x, None, "higher", target=80), [50, 100, 100, 0, NAN])
    np.testing.assert_allclose(ratio_to_target(x, None, "higher", target=80, cap=1.25), [50, 100, 125, 0, NAN])


def test_ratio_to_target_lower_is_target_over_actual():
    days = np.array([10.0, 5.0, 2.0, 0.0, NAN])
    np.testing.assert_allclose(ratio_to_target(days, None, "lower", target=5), [50, 100, 100, 100, NAN])


def test_distance_to_frontier_ratio_and_range():
    x = np.array([2.0, 4.0, 8.0])
    np.testing.assert_allclose(distance_to_frontier(x, ONE(3), "higher"), [25, 50, 100])
    np.testing.assert_allclose(distance_to_frontier(x, ONE(3), "lower"), [100, 50, 25])
    np.testing.assert_allclose(distance_to_frontier(x, ONE(3), "higher", form="range"), [0, 100 / 3, 100])
    np.testing.assert_allclose(distance_to_frontier(np.array([2.0, NAN]), ONE(2), "higher"), [100, NAN])
    with pytest.raises(ScoringError, match="form: range"):
        distance_to_frontier(np.array([0.0, 3.0]), ONE(2), "higher")


def test_thresholds_red_flag_goal_and_points():
    x = np.array([60.0, 75.0, 90.0, 100.0, 50.0, NAN])
    np.testing.assert_allclose(thresholds(x, None, "higher", red_flag=60, goal=90, range=[0, 10]), [0, 5, 10, 10, 0, NAN])
    days = np.array([20.0, 5.0, 40.0])
    np.testing.assert_allclose(thresholds(days, None, "lower", red_flag=30, goal=10, range=[0, 10]), [5, 10, 0])
    pieces = thresholds(np.array([25.0, 75.0]), None, "higher", points=[[100, 100], [0, 0], [50, 60]])
    np.testing.assert_allclose(pieces, [30, 80])
