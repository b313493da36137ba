"""What a section of the evaluation receives and returns."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from jixiao.runtime.config import Settings


@dataclass
class Context:
    """The published warehouse (read-only), the landing zone and the simulator's truth of one instance."""

    cfg: Settings
    truth: dict
    con: duckdb.DuckDBPyConnection


@dataclass
class Figure:
    """One measured figure; ``aim`` (e.g. ``">= 0.95"``) is what an issue asks of it, if anything."""

    name: str
    value: float | int | str | None
    aim: str | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the value meets its aim (None without an aim or a numeric value)."""
        if self.aim is None or not isinstance(self.value, (int, float)):
            return None
        op, _, bound = self.aim.partition(" ")
        bound = float(bound)
        return {">=": self.value >= bound, "<=": self.value <= bound, "==": self.value == bound,
                ">": self.value > bound, "<": self.value < bound}[op]


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, name: str, value, aim: str | None = None, note: str = "") -> Figure:
        figure = Figure(name, value, aim, note)
        self.figures.append(figure)
        return figure


def write_json(sections: list[Section], path: Path) -> Path:
    """All sections as JSON (figures with their aims and whether they were met, plus details)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [{"title": s.title, "figures": [{**asdict(f), "met": f.met} for f in s.figures], "details": s.details}
            for s in sections]
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
