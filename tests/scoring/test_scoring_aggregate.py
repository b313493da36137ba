"""Weighted means and the missing-data rules."""

import numpy as np
import pytest

from jixiao.scoring.aggregate import STATUS_NAMES, aggregate
from jixiao.scoring.errors import ScoringError

NAN = np.nan


def status(result):
    return STATUS_NAMES[result.status].tolist()


def test_three_means_by_hand():
    assert aggregate(np.array([[80.0, 60.0]]), np.array([1.0, 3.0])).score[0] == pytest.approx(65)
    assert aggregate(np.array([[100.0, 25.0]]), np.ones(2), "geometric").score[0] == pytest.approx(50)
    assert aggregate(np.array([[100.0, 25.0]]), np.ones(2), "harmonic").score[0] == pytest.approx(40)
    weighted = aggregate(np.array([[100.0, 25.0]]), np.array([3.0, 1.0]), "geometric").score[0]
    assert weighted == pytest.approx(100**0.75 * 25**0.25)


def test_weights_renormalised_over_present_children():
    result = aggregate(np.array([[80.0, NAN, 40.0]]), np.array([1.0, 1.0, 2.0]))
    assert result.score[0] == pytest.approx(160 / 3)
    assert result.coverage[0] == pytest.approx(0.75)
    assert status(result) == ["renormalised"]
    np.testing.assert_allclose(result.local_weights[0], [1 / 3, 0, 2 / 3])


def test_min_coverage_is_inclusive():
    children, weights = np.array([[80.0, NAN, 40.0]]), np.array([1.0, 1.0, 2.0])
    below = aggregate(children, weights, min_coverage=0.8)
    assert np.isnan(below.score[0]) and status(below) == ["below_min_coverage"]
    assert below.coverage[0] == pytest.approx(0.75)
    assert aggregate(children, weights, min_coverage=0.75).score[0] == pytest.approx(160 / 3)


def test_no_data_is_missing_not_zero():
    result = aggregate(np.array([[NAN, NAN], [10.0, 20.0]]), np.ones(2))
    assert np.isnan(result.score[0]) and result.score[1] == 15
    assert status(result) == ["no_data", "ok"]
    assert result.coverage[0] == 0


def test_excluded_children_leave_mean_and_coverage():
    children = np.array([[80.0, 0.0, 40.0], [80.0, 0.0, 40.0]])
    applicable = np.array([[True, False, True], [False, False, False]])
    result = aggregate(children, np.ones(3), applicable=applicable, min_coverage=1.0)
    assert result.score[0] == pytest.approx(60)
    assert result.coverage[0] == 1.0
    assert status(result) == ["ok", "excluded"]
    assert result.applicable.tolist() == [True, False]
    assert np.isnan(result.coverage[1]) and np.isnan(result.score[1])


@pytest.mark.parametrize("method", ["geometric", "harmonic"])
@pytest.mark.parametrize("bad", [0.0, -3.0])
def test_non_positive_inputs_are_an_error_naming_the_child(method, bad):
    with pytest.raises(ScoringError, match=r"child 'b'.*range: \[1, 100\]"):
        aggregate(np.array([[5.0, bad]]), np.ones(2), method, child_names=("a", "b"))


def test_balance_shares_the_geometric_penalty():
    result = aggregate(np.array([[100.0, 25.0]]), np.ones(2), "geometric")
    assert result.balance[0] == pytest.approx(50 / 62.5)
    contributions = result.local_weights[0] * result.balance[0] * np.array([100.0, 25.0])
    np.testing.assert_allclose(contributions, [40, 10])
    assert aggregate(np.array([[100.0, 25.0]]), np.ones(2)).balance[0] == 1.0


def test_cap_limits_the_share_of_capped_children():
    # children: independent 60 (w 1), self-reported 100 (w 3); the self-reported may carry at most 25 %
    children = np.array([[60.0, 100.0], [60.0, NAN], [NAN, 100.0], [60.0, 100.0]])
    weights = np.array([1.0, 3.0])
    result = aggregate(children, weights, capped=np.array([False, True]), max_share=0.25)
    assert result.score[0] == pytest.approx(0.75 * 60 + 0.25 * 100)
    np.testing.assert_allclose(result.local_weights[0], [0.75, 0.25])
    assert result.score[1] == pytest.approx(60)
    assert np.isnan(result.score[2]) and status(result)[2] == "capped"
    assert result.coverage[2] == pytest.approx(0.75)  # coverage still on declared weights
    under = aggregate(np.array([[60.0, 100.0]]), np.array([3.0, 1.0]), capped=np.array([False, True]), max_share=0.4)
    assert under.score[0] == pytest.approx(70)  # 25 % < 40 %: weights as declared


def test_cap_keeps_contributions_adding_up():
    result = aggregate(np.array([[50.0, 90.0, 70.0]]), np.array([1.0, 2.0, 2.0]),
                       capped=np.array([False, True, True]), max_share=0.3)
    assert result.local_weights[0].sum() == pytest.approx(1.0)
    assert result.local_weights[0][1:].sum() == pytest.approx(0.3)
    assert result.score[0] == pytest.approx((result.local_weights[0] * [50, 90, 70]).sum())
