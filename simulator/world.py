"""The simulated world a month of events is drawn from: departments, their latent performance, ids."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from jixiao.config import BUSINESS_TZ
from simulator.province import Province

TZ = ZoneInfo(BUSINESS_TZ)
UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai has no DST


SCALES = {"XS": 0.1, "S": 1.0, "M": 100.0, "L": 1000.0}
"""Event-volume multiplier per scale (S ≈ 100k events a province-year, M ≈ 10M, L ≈ 100M)."""


@dataclass
class World:
    """Departments and their hidden (latent) true performance in [0, 1]; drives every source."""

    province: Province
    rng: np.random.Generator
    volume: float
    latent: np.ndarray = field(init=False)
    _next_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.latent = self.rng.beta(5.0, 2.0, size=len(self.province.departments))

    @property
    def dept_codes(self) -> np.ndarray:
        return np.array([d.dept_code for d in self.province.departments])

    def sequence(self, name: str, n: int) -> range:
        """The next ``n`` numbers of a named sequence (event ids, ticket ids …), starting at 1."""
        first = self._next_id.get(name, 1)
        self._next_id[name] = first + n
        return range(first, first + n)

    def event_ids(self, source: str, n: int) -> list[str]:
        """``n`` new event ids of a source: ``<source>-<9-digit sequence>``."""
        return [f"{source}-{i:09d}" for i in self.sequence(source, n)]


def month_bounds(start: datetime, months_after: int) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of the month ``months_after`` months after ``start``, business time."""
    year, month = divmod(start.month - 1 + months_after, 12)
    first = datetime(start.year + year, month + 1, 1, tzinfo=TZ)
    year2, month2 = divmod(first.month, 12)
    return first, datetime(first.year + year2, month2 + 1, 1, tzinfo=TZ)


def iso_times(epoch_s: np.ndarray) -> list[str]:
    """Epoch seconds → ISO-8601 strings in business time with the +08:00 offset (vectorised)."""
    local = (epoch_s.astype("int64") + UTC_OFFSET_S).astype("datetime64[s]")
    return [t + "+08:00" for t in np.datetime_as_string(local, unit="s").tolist()]


def uniform_times(rng: np.random.Generator, start: datetime, end: datetime, n: int) -> np.ndarray:
    """``n`` epoch-second instants in [start, end), denser in office hours than at night."""
    days = (end - start) // timedelta(days=1)
    day = rng.integers(0, days, size=n)
    hour = rng.choice(24, size=n, p=_HOURLY)
    second = rng.integers(0, 3600, size=n)
    return int(start.timestamp()) + day * 86400 + hour * 3600 + second


_HOURLY = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 12, 8, 12, 16, 16, 14, 10, 8, 6, 5, 4, 2, 1],
                   dtype=float)
_HOURLY /= _HOURLY.sum()
