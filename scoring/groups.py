"""Reference groups: contiguous row segments over which statistics are computed.

Rows are sorted so that each group (e.g. one period) is one contiguous segment;
all statistics are computed per column with ``ufunc.reduceat`` and are NaN-aware.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Groups:
    """Segment starts (sorted, first is 0) over ``n_rows`` rows."""

    starts: np.ndarray
    n_rows: int

    @classmethod
    def single(cls, n_rows: int) -> Groups:
        """One group holding every row."""
        return cls(np.zeros(1 if n_rows else 0, dtype=np.intp), n_rows)

    @classmethod
    def from_sorted_codes(cls, codes: np.ndarray) -> Groups:
        """Groups from a non-decreasing integer code per row."""
        codes = np.asarray(codes)
        if codes.size == 0:
            return cls(np.zeros(0, dtype=np.intp), 0)
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        return cls(starts.astype(np.intp), int(codes.size))

    @property
    def count(self) -> int:
        return int(self.starts.size)

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(np.r_[self.starts, self.n_rows])

    @property
    def index(self) -> np.ndarray:
        """Group number of each row."""
        return np.repeat(np.arange(self.count), self.sizes)

    def broadcast(self, per_group: np.ndarray) -> np.ndarray:
        """Spread one value per group back to its rows."""
        return np.repeat(per_group, self.sizes, axis=0)

    def _reduce(self, ufunc: np.ufunc, x: np.ndarray) -> np.ndarray:
        if self.count == 0:
            return np.zeros((0,) + x.shape[1:])
        return ufunc.reduceat(x, self.starts, axis=0)

    def count_present(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(np.add, (~np.isnan(x)).astype(np.int64))

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of present values (0 where none)."""
        return self._reduce(np.add, np.where(np.isnan(x), 0.0, x))

    def min(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(np.fmin, x)

    def max(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(np.fmax, x)

    def mean(self, x: np.ndarray) -> np.ndarray:
        n = self.count_present(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.sum(x) / n, np.nan)

    def central_moment_sums(self, x: np.ndarray, powers: tuple[int, ...]) -> list[np.ndarray]:
        """Sums of (x - group mean)**p over present values, one array per power."""
        deviation = x - self.broadcast(self.mean(x))
        return [self.sum(deviation**p) for p in powers]

    def std(self, x: np.ndarray, ddof: int = 1) -> np.ndarray:
        n = self.count_present(x)
        (m2,) = self.central_moment_sums(x, (2,))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > ddof, np.sqrt(m2 / (n - ddof)), np.nan)
