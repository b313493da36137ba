"""The simulated world a month of events is drawn from: departments, their latent performance, ids, time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from jixiao.runtime.config import BUSINESS_TZ
from jixiao.simulator.province import Province

TZ = ZoneInfo(BUSINESS_TZ)
UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai has no DST
DAY_S = 86400


@dataclass(frozen=True)
class Scale:
    """Event-volume multiplier and how many cities of the province take part (None: all)."""

    volume: float
    cities: int | None = None


SCALES = {"XS": Scale(0.25, cities=2), "S": Scale(0.5), "M": Scale(100.0), "L": Scale(1000.0)}
"""XS: a two-city province for tests; S ≈ 100k events a province-year, M ≈ 10M, L ≈ 100M."""

SEASON = np.array([0.9, 0.7, 1.0, 1.0, 1.05, 1.1, 1.25, 1.25, 1.05, 0.9, 1.0, 1.05])
"""Citizen demand by calendar month: Spring Festival dip in February, summer peak."""


@dataclass(frozen=True)
class Month:
    """One simulated month in business time (Asia/Shanghai); ``index`` counts from the first month."""

    index: int
    start: datetime
    end: datetime

    @property
    def start_s(self) -> int:
        return int(self.start.timestamp())

    @property
    def end_s(self) -> int:
        return int(self.end.timestamp())

    @property
    def period(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def season(self) -> float:
        return float(SEASON[self.start.month - 1])


@dataclass
class World:
    """Departments and their hidden (latent) true performance in [0, 1]; it drives every source.

    ``efficiency`` is the department's spending pace (budget execution), correlated with performance.
    Sources keep their running state (open projects, supplier pools …) in ``state[<source>]``.
    """

    province: Province
    rng: np.random.Generator
    volume: float
    latent: np.ndarray = field(init=False)
    efficiency: np.ndarray = field(init=False)
    state: dict = field(default_factory=dict)
    _next_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        departments = self.province.departments
        n = len(departments)
        self.latent = self.rng.beta(5.0, 2.0, size=n)
        self.efficiency = np.clip(0.5 * self.latent + 0.5 * self.rng.beta(5.0, 2.0, size=n), 0.05, 0.98)
        self.codes = [d.dept_code for d in departments]
        self.keys = [code.encode() for code in self.codes]
        """Kafka keys (dept_code bytes), shared by every event of a department."""
        self.names = [d.dept_name for d in departments]
        self.types = np.array([d.dept_type for d in departments])
        self.regions = np.array([d.region_code for d in departments])
        self.levels = np.array([d.level for d in departments])
        self.activity = np.array([self.province.types[t].activity for t in self.types])
        self.procurement = np.array([self.province.types[t].procurement for t in self.types])
        self.index = {code: i for i, code in enumerate(self.codes)}

    def __len__(self) -> int:
        return len(self.codes)

    def of_type(self, dept_type: str) -> np.ndarray:
        """Indices of the departments of one type."""
        return np.flatnonzero(self.types == dept_type)

    def sequence(self, name: str, n: int) -> range:
        """The next ``n`` numbers of a named sequence (event ids, ticket ids …), starting at 1."""
        first = self._next_id.get(name, 1)
        self._next_id[name] = first + n
        return range(first, first + n)

    def ids(self, prefix: str, n: int, width: int = 8) -> list[str]:
        """``n`` new business ids ``<prefix><sequence>`` (ticket, case, tender ids …)."""
        return [f"{prefix}{i:0{width}d}" for i in self.sequence(prefix, n)]

    def event_ids(self, source: str, n: int) -> list[str]:
        """``n`` new event ids of a source: ``<source>-<9-digit sequence>``."""
        return [f"{source}-{i:09d}" for i in self.sequence(source, n)]

    def counts(self, per_dept_month: float, month: Month, weights: np.ndarray | None = None,
               seasonal: bool = True) -> np.ndarray:
        """Poisson event counts per department for one month (volume-scaled, optionally seasonal)."""
        rate = per_dept_month * self.volume * (month.season if seasonal else 1.0)
        lam = rate * (weights if weights is not None else np.ones(len(self)))
        return self.rng.poisson(lam)


def month_bounds(start: datetime, months_after: int) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of the month ``months_after`` months after ``start``, business time."""
    year, month = divmod(start.month - 1 + months_after, 12)
    first = datetime(start.year + year, month + 1, 1, tzinfo=TZ)
    year2, month2 = divmod(first.month, 12)
    return first, datetime(first.year + year2, month2 + 1, 1, tzinfo=TZ)


def iso_times(epoch_s: np.ndarray) -> list[str]:
    """Epoch seconds → ISO-8601 strings in business time with the +08:00 offset (vectorised)."""
    local = (np.asarray(epoch_s).astype("int64") + UTC_OFFSET_S).astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(local, unit="s"), "+08:00").tolist()


def iso_dates(epoch_s: np.ndarray) -> list[str]:
    """Epoch seconds → business-time dates YYYY-MM-DD."""
    local = (np.asarray(epoch_s).astype("int64") + UTC_OFFSET_S).astype("datetime64[s]").astype("datetime64[D]")
    return np.datetime_as_string(local, unit="D").tolist()


def times(rng: np.random.Generator, month: Month, n: int, weekend: float = 0.4,
          hours: str = "citizen") -> np.ndarray:
    """``n`` epoch-second instants in the month: weekends weighted by ``weekend``, office hours denser.

    ``hours="office"`` keeps to 8:30–18:00 on the whole (administrative systems); "citizen" spreads over
    the day with a night trough (hotline, reviews, posts).
    """
    days = (month.end - month.start).days
    weekday = (np.arange(days) + month.start.weekday()) % 7
    weights = np.where(weekday >= 5, weekend, 1.0)
    day = rng.choice(days, size=n, p=weights / weights.sum())
    if hours == "office":
        second_of_day = rng.integers(int(8.5 * 3600), 18 * 3600, size=n)
    else:
        second_of_day = rng.choice(24, size=n, p=_HOURLY) * 3600 + rng.integers(0, 3600, size=n)
    return month.start_s + day * DAY_S + second_of_day


_HOURLY = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 12, 8, 12, 16, 16, 14, 10, 8, 6, 5, 4, 2, 1],
                   dtype=float)
_HOURLY /= _HOURLY.sum()
