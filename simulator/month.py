"""Events of the simulation, merged into emission order; values are encoded when generated."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import orjson

from jixiao.simulator.world import World, iso_times

SCHEMA_VERSION = 1


class MonthEvents:
    """Columns of events: source, emission instant (epoch s), Kafka key and value.

    A value is the UTF-8 JSON of an envelope, or the raw bytes of a planted malformed record. The emission
    instant is ``occurred_at`` except for planted late events, which are emitted weeks after they occurred.
    """

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.keys: list[bytes] = []
        self.values: list[bytes] = []
        self._instants: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.values)

    @property
    def instants(self) -> np.ndarray:
        if len(self._instants) != 1:
            self._instants = [np.concatenate(self._instants) if self._instants else np.zeros(0, "int64")]
        return self._instants[0]

    def add(self, source: str, instants: np.ndarray, keys: Sequence[bytes], values: Sequence[bytes]) -> None:
        self._instants.append(np.asarray(instants, dtype="int64"))
        self.sources += [source] * len(values) if isinstance(source, str) else source
        self.keys += keys
        self.values += values

    def emit(self, world: World, source: str, event_type: str, instants: np.ndarray, dept_idx: np.ndarray,
             payloads: list[dict]) -> list[str]:
        """Add one envelope per payload (key = dept_code); return the new event ids.

        The envelope is encoded around the orjson-encoded payload (ids, times and codes are plain ASCII),
        giving the same bytes as ``orjson.dumps`` of the whole envelope, faster.
        """
        ids = world.event_ids(source, len(payloads))
        dept_idx = np.asarray(dept_idx).tolist()
        depts = [world.codes[i] for i in dept_idx]
        occurred = iso_times(instants)
        head = (f'{{"event_id":"%s","source":"{source}","event_type":"{event_type}","occurred_at":"%s",'
                f'"dept_code":"%s","schema_version":{SCHEMA_VERSION},"payload":')
        dumps = orjson.dumps
        values = [(head % (e, t, d)).encode() + dumps(p) + b"}" for e, t, d, p in zip(ids, occurred, depts, payloads)]
        self.add(source, instants, [world.keys[i] for i in dept_idx], values)
        return ids

    def extend(self, other: "MonthEvents") -> None:
        self.add(other.sources, other.instants, other.keys, other.values)

    def take(self, mask: np.ndarray) -> "MonthEvents":
        """The events where ``mask`` (bool array) is true, in their current order."""
        chosen = np.flatnonzero(mask).tolist()
        out = MonthEvents()
        out.add([self.sources[i] for i in chosen], self.instants[chosen], [self.keys[i] for i in chosen],
                [self.values[i] for i in chosen])
        return out

    def split(self, before_s: int) -> tuple["MonthEvents", "MonthEvents"]:
        """(events emitted before ``before_s``, the rest)."""
        early = self.instants < before_s
        return self.take(early), self.take(~early)

    def encoded(self) -> tuple[list[str], list[bytes], list[bytes], list[int]]:
        """(sources, keys, values, emission instants) in emission order (stable: equal instants keep their order)."""
        order = np.argsort(self.instants, kind="stable")
        instants = self.instants[order].tolist()
        order = order.tolist()
        sources, keys, values = self.sources, self.keys, self.values
        return [sources[i] for i in order], [keys[i] for i in order], [values[i] for i in order], instants
