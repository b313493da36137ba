"""Log transforms and JRC-rule winsorising."""

import numpy as np
import pytest
from scipy import stats

from jixiao.scoring.errors import ScoringError
from jixiao.scoring.groups import Groups
from jixiao.scoring.transform import log, skew_kurtosis, winsorise

NAN = np.nan
COINR_EXAMPLE = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], dtype=float)


def test_plain_log_and_its_error():
    np.testing.assert_allclose(log(np.array([1.0, np.e, np.e**2, NAN]), Groups.single(4)), [0, 1, 2, NAN])
    with pytest.raises(ScoringError, match="variant: ct"):
        log(np.array([1.0, 0.0]), Groups.single(2))


def test_ct_log_shifts_by_group_minimum():
    groups = Groups.from_sorted_codes(np.array([0, 0, 0, 1, 1]))
    out = log(np.array([-2.0, 0.0, 3.0, 5.0, 7.0]), groups, variant="ct")
    np.testing.assert_allclose(out, np.log([1, 3, 6, 1, 3]))


def test_gii_log_and_its_error():
    out = log(np.array([0.0, 5.0, 10.0, NAN]), Groups.single(4), variant="gii")
    np.testing.assert_allclose(out, [0, np.log(5.5), np.log(10), NAN])
    with pytest.raises(ScoringError, match="> 1"):
        log(np.array([0.2, 0.9]), Groups.single(2), variant="gii")


def test_skew_kurtosis_match_excel_definitions():
    rng = np.random.default_rng(3)
    a, b = rng.gamma(2.0, size=30), rng.normal(size=12)
    skew, kurt = skew_kurtosis(np.r_[a, b], Groups.from_sorted_codes(np.r_[np.zeros(30), np.ones(12)]))
    np.testing.assert_allclose(skew, [stats.skew(a, bias=False), stats.skew(b, bias=False)])
    np.testing.assert_allclose(kurt, [stats.kurtosis(a, bias=False), stats.kurtosis(b, bias=False)])


def test_coinr_example_winsorises_one_point_until_the_rule_passes():
    # skew 3.06 / kurtosis 9.74 before; after 100 -> 30: skew 1.71, kurtosis 1.82
    result = winsorise(COINR_EXAMPLE, Groups.single(12), max_points=5)
    np.testing.assert_allclose(result.values, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30])
    assert result.rows.tolist() == [11]
    assert result.original.tolist() == [100] and result.treated.tolist() == [30]
    assert result.side.tolist() == ["high"]
    summary = result.summary[0]
    assert summary["points"] == 1 and summary["passed"]
    assert summary["skew_before"] == pytest.approx(3.0632, abs=1e-4)
    assert summary["kurtosis_after"] == pytest.approx(1.8158, abs=1e-4)


def test_tied_extremes_move_together():
    x = np.r_[np.arange(1.0, 21.0), [500.0, 500.0]]
    result = winsorise(x, Groups.single(x.size))
    assert sorted(result.rows.tolist()) == [20, 21]
    assert result.treated.tolist() == [20, 20]


def test_rule_needs_both_skew_and_kurtosis():
    assert winsorise(COINR_EXAMPLE, Groups.single(12), skew=2, kurtosis=1000).rows.size == 0
    assert winsorise(COINR_EXAMPLE, Groups.single(12), skew=100, kurtosis=3.5).rows.size == 0


def test_negative_skew_winsorises_low_side_and_keeps_missing():
    x = np.r_[-COINR_EXAMPLE, NAN]
    result = winsorise(x, Groups.single(13))
    np.testing.assert_allclose(result.values, [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -30, -30, NAN])
    assert set(result.side) == {"low"}


def test_max_points_limit_then_fallback():
    x = np.r_[np.linspace(1, 10, 100), np.arange(1000.0, 1600.0, 100.0)]
    capped = winsorise(x, Groups.single(x.size), max_points=3)
    assert capped.rows.size == 3
    assert not capped.summary[0]["passed"]
    assert capped.values.max() == 1200
    assert winsorise(x, Groups.single(x.size), max_points=50).summary[0]["points"] == 6
    logged = winsorise(x, Groups.single(x.size), max_points=3, fallback="log")
    np.testing.assert_allclose(logged.values, np.log(x - x.min() + 1))
    assert logged.rows.size == 0 and logged.summary[0]["fallback"] == "log"


def test_only_flagged_groups_are_treated():
    x = np.r_[COINR_EXAMPLE, np.arange(1.0, 13.0)]
    groups = Groups.from_sorted_codes(np.r_[np.zeros(12), np.ones(12)])
    result = winsorise(x, groups)
    np.testing.assert_allclose(result.values[12:], np.arange(1.0, 13.0))
    assert [s["group"] for s in result.summary] == [0]
