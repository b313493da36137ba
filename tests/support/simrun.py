"""Running the simulator into JSON-lines files for tests, and reading the output back."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import orjson

from jixiao import contracts
from jixiao.simulator.run import simulate
from jixiao.simulator.sinks import JsonlSink

SEED = 20260101
MONTHS = 6
OVERRIDES = {"malformed": {"event_rate": 0.004}, "benford_fabrication": {"dept_rate": 0.4},
             "self_report_disagreement": {"dept_rate": 0.3},
             "collusive_bidding": {"rigged_tenders_per_month": 8, "audit_confirm_rate": 0.5},
             "performance_drop": {"first_month": 3}}
"""Enough malformed records, fabricated amounts, disagreeing departments and confirmed rings to see in XS, and
the performance drop within the six months."""


@dataclass
class Run:
    folder: Path
    truth: dict
    produced: dict[str, int]

    def lines(self, source: str) -> list[bytes]:
        """Raw messages of a source in emission order."""
        return (self.folder / f"{contracts.topic(source)}.jsonl").read_bytes().split(b"\n")[:-1]

    def events(self, source: str, event_type: str | None = None) -> list[dict]:
        """Well-formed events of a source (malformed records skipped), duplicates included."""
        bad = {m["sha256"] for m in self.truth["malformed"]}
        out = []
        for line in self.lines(source):
            if _sha(line) in bad:
                continue
            event = orjson.loads(line)
            if event_type is None or event["event_type"] == event_type:
                out.append(event)
        return out


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def run_to(folder: Path, seed: int = SEED, months: int = MONTHS, **kwargs) -> Run:
    truth_path = folder / "truth" / "ground_truth.json"
    produced = simulate(JsonlSink(folder / "topics"), scale="XS", seed=seed, start="2026-01", months=months,
                        truth_path=truth_path, progress=False, **kwargs)
    return Run(folder / "topics", json.loads(truth_path.read_text(encoding="utf-8")), produced)
