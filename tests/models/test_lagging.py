"""Lagging-risk features use the past only, labels are next month's bottom tier, validation is time-ordered."""
from __future__ import annotations

import pandas as pd
import pytest

from jixiao.models import lagging

DIMS = {d: 70.0 for d in lagging.DIMENSIONS}


def _scores(series: dict[str, list[float | None]]) -> pd.DataFrame:
    rows = []
    for dept, values in series.items():
        for m, value in enumerate(values):
            if value is not None:
                rows.append({"dept_code": dept, "period": f"2026-{m + 1:02d}", "overall_score": value, **DIMS,
                             "rank_in_peer_group": 1, "n_scored_in_peer_group": 2, "period_type": "month"})
    return pd.DataFrame(rows)


def test_panel_labels_next_month_and_uses_only_the_past():
    assert lagging.bottom_threshold() == 60
    rows = lagging.panel(_scores({"A": [70, 55, 58, 65], "B": [80, None, 50, 90]})).set_index(["dept_code", "period"])
    assert rows.loc[("A", "2026-01"), "next_bottom"] == 1
    assert rows.loc[("A", "2026-03"), "next_bottom"] == 0
    assert pd.isna(rows.loc[("A", "2026-04"), "next_bottom"])  # not known yet
    assert pd.isna(rows.loc[("B", "2026-01"), "next_bottom"])  # February has no score
    assert rows.loc[("A", "2026-03"), "overall_change"] == pytest.approx(3)
    assert rows.loc[("B", "2026-03"), "overall_change"] == 0  # after a gap: no change
    assert rows.loc[("A", "2026-03"), "bottom_months_3"] == 2
    assert rows.loc[("A", "2026-02"), "overall_mean_3"] == pytest.approx(62.5)


def test_rolling_validation_predicts_each_month_from_earlier_outcomes_only(monkeypatch):
    seen = []
    real = lagging._model

    def spy():
        model = real()
        original = model.fit

        def fit(x, y):
            seen.append(x.index.max())
            return original(x, y)
        model.fit = fit
        return model

    monkeypatch.setattr(lagging, "_model", spy)
    series = {f"D{i}": [50 + ((i * 7 + m * 3) % 25) for m in range(8)] for i in range(12)}
    rows = lagging.panel(_scores(series))
    metrics = lagging.rolling_validation(rows)
    assert metrics["validated_months"] == len(seen) >= 1
    labelled = rows[rows["next_bottom"].notna()]
    first_validated = sorted(labelled["month"].unique())[lagging.MIN_TRAIN_MONTHS]
    train_rows = labelled[labelled["month"] + 1 <= first_validated]
    assert labelled.loc[seen[0], "month"] + 1 <= first_validated and seen[0] == train_rows.index.max()
    assert 0 <= metrics["time_ordered_auc"] <= 1
