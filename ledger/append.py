"""Appending: new special-fund disbursements from the landing zone go to their fund's chain, then anchors.

Idempotent: a disbursement id already in any chain (or seen earlier in the same run) adds nothing.
Crash-safe: every step is durable before the next begins (chain lines, then the anchors that cover them,
then their publication), so a kill -9 at any instant leaves at worst a torn last line (removed, with its
bytes kept in the repair log), entries not anchored yet, or anchors not published yet — each completed by
the next run. A fund whose chain fails verification is frozen: nothing is appended to it or published for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from jixiao.ledger import merkle
from jixiao.ledger.anchors import AnchorLog, anchor_genesis, anchor_line, publish, read_log
from jixiao.ledger.chain import ChainScan, cut_tail, entry_line, scan, torn_tail
from jixiao.ledger.source import Disbursements, new_disbursements
from jixiao.ledger.store import Ledger, now_iso
from jixiao.ledger.verify import Finding, verify_fund
from jixiao.runtime.config import Settings
from jixiao.runtime.files import append_lines

CHUNK = 5000
"""Entries written (and fsynced) at a time."""


@dataclass
class AppendReport:
    ledger_id: str
    appended: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    anchored: dict[str, int] = field(default_factory=dict)
    frozen: dict[str, Finding] = field(default_factory=dict)
    repairs: list[dict] = field(default_factory=list)
    already: int = 0
    pending: int = 0
    published: int | None = 0  # None: no broker answered, anchors wait for the next run

    def describe(self) -> str:
        parts = [f"appended {sum(self.appended.values()):,} entries ("
                 + ", ".join(f"{fund} {n:,} → {self.entries[fund]:,}" for fund, n in self.appended.items()) + ")",
                 f"{sum(self.anchored.values())} anchors",
                 "anchors not published (no broker answers; the next append publishes them)"
                 if self.published is None else f"{self.published} anchors published",
                 f"{self.already:,} already in the ledger", f"{self.pending:,} pending (project budget not landed)"]
        return "; ".join(parts)


def repair(ledger: Ledger, fund: str) -> list[dict]:
    """Remove torn last lines left by a crash from the fund's chain and anchor log, logging their bytes."""
    done = []
    for path in (ledger.chain_path(fund), ledger.anchor_path(fund)):
        tail = torn_tail(path)
        if tail:
            offset = path.stat().st_size - len(tail)
            done.append(ledger.log_repair(fund, path, offset, tail))
            cut_tail(path, tail)
    return done


class _Anchoring:
    """Writes the anchors of one fund's chain as it grows: every ``every`` entries and at the end."""

    def __init__(self, ledger: Ledger, fund: str, log: AnchorLog, chain: ChainScan):
        self.ledger, self.fund = ledger, fund
        self.ledger_id = ledger.ledger_id
        self.every = ledger.config.anchor_every
        self.seq = len(log.anchors)
        self.prev = log.last_hash or anchor_genesis(fund)
        self.anchored_size = log.anchors[-1].size if log.anchors else 0
        self.written = 0
        self.due: list[tuple[int, bytes, bytes]] = [  # what a crash left unanchored
            (size, chain.roots[size], chain.heads[size]) for size in due_sizes(self.anchored_size, chain.size, self.every)]

    def note(self, size: int, frontier: merkle.Frontier, head: bytes) -> None:
        if size % self.every == 0:
            self.due.append((size, frontier.root(), head))

    def write(self, size: int | None = None, frontier: merkle.Frontier | None = None, head: bytes = b"") -> None:
        """Anchor what is due (and the current size, when given) after the chain lines are durable."""
        if size is not None and size > self.anchored_size and not any(s == size for s, _, _ in self.due):
            self.due.append((size, frontier.root(), head))
        lines = []
        for size_, root, head_ in self.due:
            if size_ <= self.anchored_size:
                continue
            line, self.prev = anchor_line(self.ledger_id, self.fund, self.seq, size_, root, head_, self.prev, now_iso())
            self.seq += 1
            self.anchored_size = size_
            lines.append(line)
        self.due = []
        if lines:
            append_lines(self.ledger.anchor_path(self.fund), b"".join(lines))
            self.written += len(lines)


def due_sizes(anchored: int, size: int, every: int) -> list[int]:
    """Sizes after ``anchored`` up to ``size`` that need an anchor: multiples of ``every``, and ``size``."""
    sizes = list(range((anchored // every + 1) * every, size + 1, every))
    return sizes + [size] if size > anchored and (not sizes or sizes[-1] != size) else sizes


def _extend(ledger: Ledger, fund: str, chain: ChainScan, log: AnchorLog, records: list[tuple[str, bytes]]) -> int:
    """Append ``records`` to a verified chain, anchoring as it grows; return the anchors written."""
    anchoring = _Anchoring(ledger, fund, log, chain)
    frontier, prev, size = chain.frontier, chain.last_hash, chain.size
    for start in range(0, len(records), CHUNK):
        lines = []
        for _, record in records[start:start + CHUNK]:
            line, prev = entry_line(prev, record, size)
            lines.append(line)
            frontier.add(merkle.leaf_hash(record))
            size += 1
            anchoring.note(size, frontier, prev)
        append_lines(ledger.chain_path(fund), b"".join(lines))
        anchoring.write()
    anchoring.write(size, frontier, prev)
    return anchoring.written


def _with_unanchored_roots(ledger: Ledger, fund: str, chain: ChainScan, log: AnchorLog) -> ChainScan:
    """The scan, with the roots of sizes a crash left unanchored (rare: a second pass computes them)."""
    anchored = log.anchors[-1].size if log.anchors else 0
    missing = set(due_sizes(anchored, chain.size, ledger.config.anchor_every)) - set(chain.roots)
    if missing:
        again = scan(ledger.chain_path(fund), fund, missing)
        chain.roots.update(again.roots)
        chain.heads.update(again.heads)
    return chain


def _publish_pending(ledger: Ledger, cfg: Settings, funds: list[str]) -> int | None:
    """Publish the anchors not yet on the topic; None when no broker answers (they wait for the next run)."""
    ledger_id = ledger.ledger_id
    pending = {fund: read_log(ledger.anchor_path(fund), ledger_id, fund).anchors[ledger.published(fund):]
               for fund in funds}
    if not any(pending.values()):
        return 0
    if not publish(cfg, ledger.config.anchor_topic, ledger_id, [a for anchors in pending.values() for a in anchors]):
        return None
    for fund, anchors in pending.items():
        if anchors:
            ledger.set_published(fund, anchors[-1].seq + 1)
    return sum(len(a) for a in pending.values())


def append_records(cfg: Settings, ledger: Ledger, fetch: Callable[[set[str]], Disbursements]) -> AppendReport:
    """Repair, verify, then append what ``fetch(ids already in the ledger)`` returns; anchor; publish anchors."""
    with ledger.lock(exclusive=True):
        report = AppendReport(ledger.create())
        states = {}
        for fund in ledger.funds:
            report.repairs += repair(ledger, fund)
            result, chain, log = verify_fund(ledger, fund, collect_ids=True)
            states[fund] = (result, _with_unanchored_roots(ledger, fund, chain, log), log)
        landed = fetch(set().union(*(chain.ids for _, chain, _ in states.values())))
        report.already, report.pending = landed.already, landed.pending
        for fund, (result, chain, log) in states.items():
            if result.finding is not None:
                report.frozen[fund] = result.finding
                continue
            records = landed.records.get(fund, [])
            report.anchored[fund] = _extend(ledger, fund, chain, log, records)
            report.appended[fund] = len(records)
            report.entries[fund] = chain.size + len(records)
        report.published = _publish_pending(ledger, cfg, [f for f in ledger.funds if f not in report.frozen])
    return report


def append_from_landing(cfg: Settings, ledger: Ledger | None = None) -> AppendReport:
    """Append every committed special-fund disbursement not yet in the ledger; anchor; publish the anchors."""
    ledger = ledger or Ledger.of(cfg)
    return append_records(cfg, ledger, lambda known: new_disbursements(cfg, ledger.funds, known))
