"""A month of generated events from all sources, merged into emission (occurred_at) order."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import orjson


@dataclass
class MonthEvents:
    """Events of one month: Kafka key, value (the envelope) and the instant used for ordering."""

    event_ids: list[str] = field(default_factory=list)
    instants: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    envelopes: list[dict] = field(default_factory=list)

    def add(self, event_id: str, instant: int, key: str, envelope: dict) -> None:
        self.event_ids.append(event_id)
        self.instants.append(int(instant))
        self.keys.append(key)
        self.envelopes.append(envelope)

    def extend(self, other: "MonthEvents") -> None:
        self.event_ids += other.event_ids
        self.instants += other.instants
        self.keys += other.keys
        self.envelopes += other.envelopes

    def __len__(self) -> int:
        return len(self.event_ids)

    def encoded(self) -> list[tuple[str, bytes, bytes]]:
        """(source, key, UTF-8 JSON value) in occurred_at order (stable: equal instants keep their order)."""
        order = np.argsort(np.asarray(self.instants, dtype="int64"), kind="stable").tolist()
        return [(self.envelopes[i]["source"], self.keys[i].encode(), orjson.dumps(self.envelopes[i]))
                for i in order]
