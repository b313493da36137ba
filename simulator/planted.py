"""Planted cases: which departments, indicators and tenders carry a known truth, and stream faults.

``plan()`` picks the cases once per run (from the world's generator) and may bend the world (a
divergence case lowers satisfaction while spending fast). Cases added later (the mid-year performance
drop, out-of-rights appraisal scores) draw from a child generator spawned from the world's, so the
cases and events that existed before them stay as they were. ``start_month()`` applies the plan's
changes of hidden performance at the start of each month and records it; sources consult the plan while
generating; ``inject_stream_faults()`` adds duplicates, late events and malformed records to each
emitted month. Everything planted is recorded in ``Plan.truth()`` — written only to the ground-truth file.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import yaml

from jixiao import contracts
from jixiao.simulator.month import MonthEvents
from jixiao.simulator.sources.procurement import supplier_pool
from jixiao.simulator.world import DAY_S, Month, World

CONFIG = Path(__file__).parent / "config" / "planted.yaml"
VARIANTS = Path(__file__).parent / "config" / "variants"
SELF_REPORTED = yaml.safe_load((Path(contracts.__file__).parent / "self_reported_kpis.yaml").read_text("utf-8"))
EXPECTED_REASON = {"not_json": "not_json", "gbk": "not_utf8", "wrong_type": "schema_violation",
                   "missing_field": "schema_violation", "oversized": "oversized"}


def load_config(path: Path = CONFIG, overrides: dict | None = None) -> dict:
    """The planted-case config, with ``overrides`` ({case: {key: value}}) applied on top."""
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    for case, values in (overrides or {}).items():
        cfg[case] = {**cfg[case], **values}
    return cfg


def variant(name: str) -> dict:
    """The planted-config overrides of a named variant (``config/variants/<name>.yaml``)."""
    path = VARIANTS / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in VARIANTS.glob("*.yaml")))
        raise ValueError(f"unknown simulator variant {name!r}; known: {known}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def indicators_of(dept_type: str) -> list[str]:
    """Self-reported indicator codes a department of this type reports monthly."""
    return [k["code"] for k in SELF_REPORTED if not k["dept_types"] or dept_type in k["dept_types"]]


@dataclass
class Ring:
    ring_id: str
    bidder_ids: list[str]
    dept_idx: list[int]
    tender_ids: list[str] = field(default_factory=list)
    confirmed_tender_ids: list[str] = field(default_factory=list)
    wins: int = 0
    wins_by: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    cfg: dict
    fake_satisfaction: dict[int, str]
    zombies: set[tuple[int, str]]
    rings: list[Ring]
    ring_of_dept: dict[int, Ring]
    med_dept: int | None
    med_months: range
    divergence: dict[int, str]
    disagreement: dict[int, float]
    benford: set[int]
    extra_rng: np.random.Generator
    drop_dept: int | None
    drop_level: float | None
    duplicates: list[str] = field(default_factory=list)
    late: list[dict] = field(default_factory=list)
    malformed: list[dict] = field(default_factory=list)
    out_of_rights: list[dict] = field(default_factory=list)
    hidden: list[np.ndarray] = field(default_factory=list)
    """Hidden performance of every department, one array per simulated month."""

    def start_month(self, world: World, month: Month) -> None:
        """Apply the performance drop from its first month, then record every department's hidden performance."""
        if self.drop_dept is not None and month.index == self.cfg["performance_drop"]["first_month"]:
            world.latent[self.drop_dept] = self.drop_level
        self.hidden.append(world.latent.copy())

    def truth(self, world: World, first: Month) -> dict:
        """The planted cases with the ids a checker needs."""
        code = world.codes

        def period(index: int) -> str:
            year, month = divmod(first.start.month - 1 + index, 12)
            return f"{first.start.year + year}-{month + 1:02d}"

        return {
            "fake_satisfaction": [{"dept_code": code[i], "where": mode}
                                  for i, mode in sorted(self.fake_satisfaction.items())],
            "zombie_indicators": [{"dept_code": code[i], "indicator_code": k} for i, k in sorted(self.zombies)],
            "collusive_rings": [{"ring_id": r.ring_id, "bidder_ids": r.bidder_ids,
                                 "dept_codes": [code[i] for i in r.dept_idx], "tender_ids": r.tender_ids,
                                 "audit_confirmed_tender_ids": r.confirmed_tender_ids} for r in self.rings],
            "medical_dispute_anomaly": None if self.med_dept is None else {
                "dept_code": code[self.med_dept], "indicator_code": "SR_MED_DISPUTE_DAYS",
                "petition_category": "医疗纠纷", "periods": [period(m) for m in self.med_months]},
            "spending_divergence": [{"dept_code": code[i], "direction": d} for i, d in sorted(self.divergence.items())],
            "self_report_disagreement": [{"dept_code": code[i], "indicator_code": "SR_POLICY_SATISFACTION",
                                          "gap_points": round(g, 2)} for i, g in sorted(self.disagreement.items())],
            "performance_drop": None if self.drop_dept is None else {
                "dept_code": code[self.drop_dept], "first_period": period(self.cfg["performance_drop"]["first_month"]),
                "before": round(float(self.hidden[0][self.drop_dept]), 6), "after": round(float(self.drop_level), 6)},
            "hidden_performance": {c: {period(m): round(float(level[i]), 6) for m, level in enumerate(self.hidden)}
                                   for i, c in enumerate(code)},
            "out_of_rights_scores": self.out_of_rights,
            "benford_fabrication": [{"dept_code": code[i],
                                     "fields": ["finance.budget_allocated.amount", "finance.disbursement.amount"]} for i in sorted(self.benford)],
            "duplicates": self.duplicates,
            "late_events": self.late,
            "malformed": self.malformed,
        }


def _pick(rng: np.random.Generator, candidates: np.ndarray, rate: float, at_least: int = 1) -> list[int]:
    if rate <= 0 or len(candidates) == 0:
        return []
    k = min(len(candidates), max(at_least, int(round(rate * len(candidates)))))
    return sorted(rng.choice(candidates, size=k, replace=False).tolist())


def plan(world: World, cfg: dict, months: int) -> Plan:
    """Choose the planted cases for this world (deterministic for the world's seed)."""
    rng, n = world.rng, len(world)
    everyone = np.arange(n)
    fake = {i: ["self_report", "reviews", "both"][rng.integers(0, 3)]
            for i in _pick(rng, everyone, cfg["fake_satisfaction"]["dept_rate"])}
    rest = np.setdiff1d(everyone, list(fake))
    disagreement = {i: float(rng.uniform(*cfg["self_report_disagreement"]["gap_points"]))
                    for i in _pick(rng, rest, cfg["self_report_disagreement"]["dept_rate"])}
    rest = np.setdiff1d(rest, list(disagreement))
    divergence = {}
    for i in _pick(rng, rest, cfg["spending_divergence"]["dept_rate"]):
        if rng.random() < 0.5:
            divergence[i] = "high_spending_low_satisfaction"
            world.latent[i], world.efficiency[i] = rng.uniform(0.05, 0.2), rng.uniform(0.93, 0.98)
        else:
            divergence[i] = "low_spending_high_satisfaction"
            world.latent[i], world.efficiency[i] = rng.uniform(0.9, 0.98), rng.uniform(0.08, 0.2)
    benford = set(_pick(rng, everyone, cfg["benford_fabrication"]["dept_rate"]))

    city_wjw = [i for i in world.of_type("WJW").tolist() if world.levels[i] == "city"]
    med_cfg = cfg["medical_dispute_anomaly"]
    med_dept = int(rng.choice(city_wjw)) if city_wjw and med_cfg["months"] > 0 else None
    med_months = range(min(med_cfg["first_month"], months), min(med_cfg["first_month"] + med_cfg["months"], months))

    pairs = [(i, k) for i in range(n) for k in indicators_of(world.types[i])
             if not (k == "SR_POLICY_SATISFACTION" and (i in fake or i in disagreement))
             and not (i == med_dept and k == "SR_MED_DISPUTE_DAYS")]
    zombie_rows = _pick(rng, np.arange(len(pairs)), cfg["zombie_indicators"]["pair_rate"])
    zombies = {pairs[r] for r in zombie_rows}

    ring_cfg = cfg["collusive_bidding"]
    buyers = np.flatnonzero(world.procurement >= 1.5)
    ring_depts = _pick(rng, buyers, ring_cfg["ring_dept_rate"])
    suppliers = supplier_pool(world)
    rings, ring_of_dept, used = [], {}, set()
    for r, start in enumerate(range(0, len(ring_depts), 2)):
        size = int(rng.integers(ring_cfg["ring_size"][0], ring_cfg["ring_size"][1] + 1))
        members = [s for s in rng.choice(suppliers, size=size * 2, replace=False).tolist() if s not in used][:size]
        used.update(members)
        ring = Ring(f"RING-{r + 1:02d}", members, ring_depts[start:start + 2])
        rings.append(ring)
        ring_of_dept.update({i: ring for i in ring.dept_idx})
    world.state["ring_members"] = used

    extra_rng = world.rng.spawn(1)[0]
    drop_cfg = cfg["performance_drop"]
    taken = set(fake) | set(disagreement) | set(divergence) | benford | set(ring_of_dept) | {med_dept}
    candidates = np.array([i for i in np.flatnonzero(world.latent >= drop_cfg["min_latent"]) if i not in taken])
    drop_dept = int(extra_rng.choice(candidates)) if len(candidates) and drop_cfg["first_month"] < months else None
    drop_level = None if drop_dept is None else max(0.0, float(world.latent[drop_dept]) - drop_cfg["drop"])
    return Plan(cfg, fake, zombies, rings, ring_of_dept, med_dept, med_months, divergence, disagreement, benford,
                extra_rng, drop_dept, drop_level)


def inject_stream_faults(world: World, plan: Plan, batch: MonthEvents, late_pending: MonthEvents,
                         month: Month) -> MonthEvents:
    """Move some events to ``late_pending`` (emitted weeks later), add duplicates and malformed records."""
    rng, cfg = world.rng, plan.cfg
    late = rng.random(len(batch)) < cfg["late_events"]["event_rate"]
    delays = rng.integers(cfg["late_events"]["delay_days"][0] * DAY_S, cfg["late_events"]["delay_days"][1] * DAY_S,
                          int(late.sum()))
    moved = batch.take(late)
    moved.instants[:] = moved.instants + delays
    late_pending.extend(moved)
    plan.late += [{"event_id": e["event_id"], "occurred_at": e["occurred_at"], "delay_days": round(int(d) / DAY_S, 1)}
                  for e, d in zip(map(orjson.loads, moved.values), delays.tolist())]
    batch = batch.take(~late)

    dup = np.flatnonzero(rng.random(len(batch)) < cfg["duplicates"]["event_rate"])
    resend = np.minimum(batch.instants[dup] + rng.integers(1, 3 * DAY_S, len(dup)), month.end_s - 1)
    batch.add([batch.sources[i] for i in dup], resend, [batch.keys[i] for i in dup], [batch.values[i] for i in dup])
    plan.duplicates += [orjson.loads(batch.values[i])["event_id"] for i in dup.tolist()]

    bases = len(batch)
    count = rng.binomial(bases, cfg["malformed"]["event_rate"]) if bases else 0
    classes = list(cfg["malformed"]["classes"])
    weights = np.array([cfg["malformed"]["classes"][c] for c in classes], dtype=float)
    for base, kind in zip(rng.choice(bases, count).tolist(), rng.choice(classes, count, p=weights / weights.sum())):
        envelope = orjson.loads(batch.values[base])
        seq = len(plan.malformed) + 1
        envelope["event_id"] = f"{envelope['source']}-bad-{seq:06d}"
        raw = _malform(rng, envelope, str(kind))
        batch.add(envelope["source"], [int(rng.integers(month.start_s, month.end_s))], [batch.keys[base]], [raw])
        plan.malformed.append({"seq": seq, "class": str(kind), "expected_reason": EXPECTED_REASON[str(kind)],
                               "source": envelope["source"], "event_id": envelope["event_id"],
                               "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)})
    return batch


def _malform(rng: np.random.Generator, envelope: dict, kind: str) -> bytes:
    """Raw bytes of one malformed record of class ``kind`` built from a valid envelope."""
    payload = envelope["payload"]
    if kind == "not_json":
        text = orjson.dumps(envelope).decode()
        return text[: len(text) // 2].encode()
    if kind == "gbk":
        envelope["payload"] = {**payload, "备注": "该记录由旧系统以GBK编码导出"}
        return json.dumps(envelope, ensure_ascii=False).encode("gbk", errors="replace")
    if kind == "wrong_type":
        field_name = next(k for k, v in payload.items() if v is not None)
        value = payload[field_name]
        payload[field_name] = 0 if isinstance(value, (str, list)) else f"{value}（约）"
        return orjson.dumps(envelope)
    if kind == "missing_field":
        required = contracts.load_schema(envelope["source"], envelope["event_type"])["required"]
        del payload[required[int(rng.integers(0, len(required)))]]
        return orjson.dumps(envelope)
    if kind == "oversized":
        payload["附件"] = "情况说明" * (contracts.MAX_MESSAGE_BYTES // 10)
        return orjson.dumps(envelope)
    raise ValueError(f"unknown malformed class {kind!r}")
