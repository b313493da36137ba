"""Grades and ranks within groups."""

import numpy as np
import pandas as pd
import pytest

from jixiao.scoring.grades import grade, rank_within


def test_grade_boundaries():
    scores = [100, 90, 89.99, 80, 79.99, 60, 59.99, 0, np.nan]
    assert list(grade(np.array(scores))) == ["优", "优", "良", "良", "中", "中", "差", "差", None]
    assert grade(90.0) == "优" and grade(np.nan) is None


def test_grade_keeps_series_index():
    graded = grade(pd.Series([95.0, 70.0], index=["a", "b"]))
    assert graded.to_dict() == {"a": "优", "b": "中"}


def test_rank_within_groups_min_and_dense():
    frame = pd.DataFrame({
        "region": ["n", "n", "n", "n", "s", "s"],
        "score": [90, 80, 80, 70, 50, np.nan],
    })
    assert rank_within(frame, "score", by="region").tolist() == [1, 2, 2, 4, 1, pd.NA]
    assert rank_within(frame, "score", by="region", method="dense").tolist() == [1, 2, 2, 3, 1, pd.NA]
    assert rank_within(frame, "score").tolist() == [1, 2, 2, 4, 5, pd.NA]
    with pytest.raises(ValueError, match="method"):
        rank_within(frame, "score", method="average")
