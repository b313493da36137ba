"""Verification: does every fund's chain still hold what was appended, in order, all of it?

Three independent checks per fund:

1. the chain itself, line by line (form, own hash, link to the previous line, sequence number) — finds
   and names a changed, deleted, inserted or reordered entry;
2. the anchor log: each anchor's Merkle root and head hash against the chain's at the anchor's size —
   finds a truncated chain, and a chain rewritten consistently from some entry on (located between two
   anchors);
3. the anchors published to Kafka, when a broker answers — the same check against copies the holder of
   the files cannot rewrite, and a comparison with the anchor log itself.

The first bad entry is reported: the lowest position any check implicates.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.ledger.anchors import Anchor, AnchorLog, parse_anchor, read_log, read_topic
from jixiao.ledger.chain import ChainScan, Entry, entries_at, genesis, positions_of_hashes, scan
from jixiao.ledger.store import Ledger, now_iso
from jixiao.runtime.config import Settings

KINDS = {
    "changed": "篡改",
    "deleted": "删除",
    "inserted": "插入",
    "reordered": "顺序被调换",
    "truncated": "截断",
    "chain_rewritten": "整链重写",
    "anchor_log_changed": "锚定记录被改",
    "torn_tail": "未完成写入",
}
"""Kinds of failure (tampering, or a crash not yet repaired) and their Chinese labels."""


@dataclass(frozen=True)
class Finding:
    """The first bad entry of a fund (``seq`` is its position in the chain; None when no entry is to blame)."""

    fund: str
    kind: str
    seq: int | None
    last_seq: int | None
    disbursement_id: str | None
    dept_codes: tuple[str, ...]
    detail: str

    def describe(self) -> str:
        where = "" if self.seq is None else f" seq {self.seq}" + (
            f"–{self.last_seq}" if self.last_seq not in (None, self.seq) else "")
        who = f" ({self.disbursement_id})" if self.disbursement_id else ""
        return f"{self.fund}{where}{who}: {self.kind} — {self.detail}"


@dataclass
class FundVerification:
    fund: str
    fund_name: str
    ledger_id: str
    entries: int
    finding: Finding | None
    anchors_in_log: int
    anchors_in_topic: int | None  # None: the topic was not read
    last_anchor_size: int
    last_anchor_root: str | None
    repairs: int
    checked_at: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.finding is None

    @property
    def verified_entries(self) -> int:
        """Entries before the first bad one (all of them when the fund verifies)."""
        if self.finding is None or self.finding.seq is None:
            return self.entries
        return min(self.finding.seq, self.entries)

    @property
    def unanchored(self) -> int:
        """Entries after the last anchor (a crash between appending and anchoring; the next append anchors them)."""
        return max(0, self.entries - self.last_anchor_size)


@dataclass
class VerificationReport:
    ledger_id: str
    topic_checked: bool
    funds: list[FundVerification] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.funds)

    @property
    def entries(self) -> int:
        return sum(f.entries for f in self.funds)


def _entry_finding(fund: str, kind: str, entry: Entry, detail: str, last: int | None = None) -> Finding:
    dept = entry.field("dept_code")
    return Finding(fund, kind, entry.position, entry.position if last is None else last,
                   entry.field("disbursement_id"), (dept,) if isinstance(dept, str) else (), detail)


def _plural(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def classify(path: Path, fund: str, c: int) -> Finding:
    """Name what happened at position ``c``, the first line that fails a chain check."""
    around = entries_at(path, {c - 1, c, c + 1})
    cur, nxt = around[c], around.get(c + 1)
    expected = around[c - 1].hash if c > 0 else genesis(fund)
    found = positions_of_hashes(path, {cur.hash, cur.prev}) if cur.well_formed else {}
    linked_to = [p for p in found.get(cur.prev, []) if p != c]
    if cur.self_consistent and linked_to and linked_to[0] > c:
        return _entry_finding(fund, "reordered", cur, f"the entry numbered {cur.seq} stands here and links to the "
                              f"entry now at position {linked_to[0]}: entries were moved")
    if nxt is not None and nxt.self_consistent and nxt.prev == expected:
        return _entry_finding(fund, "inserted", cur, "the next entry links to the one before this line: it was put in")
    if not cur.well_formed:
        return _entry_finding(fund, "changed", cur, "the line is no longer a well-formed ledger entry")
    copies = [p for p in found[cur.hash] if p < c]
    if copies and cur.self_consistent:
        return _entry_finding(fund, "inserted", cur, f"a copy of the entry at seq {copies[0]} was put in")
    if cur.prev == expected:
        if not cur.self_consistent:
            return _entry_finding(fund, "changed", cur, "the entry's content no longer matches its hash")
        if cur.seq is not None and cur.seq > c:
            return Finding(fund, "deleted", c, cur.seq - 1, None, (), f"{_plural(cur.seq - c)} missing; the "
                           f"chain was re-linked over the gap and resumes with seq {cur.seq}")
        return _entry_finding(fund, "inserted", cur, f"the entry carries seq {cur.seq}, already used before it")
    if not linked_to:
        if cur.self_consistent and cur.seq is not None and cur.seq > c:
            return Finding(fund, "deleted", c, cur.seq - 1, None, (),
                           f"{_plural(cur.seq - c)} missing; the chain resumes with seq {cur.seq} "
                           f"({cur.field('disbursement_id')})")
        if c > 0 and nxt is not None and cur.self_consistent and nxt.prev == cur.hash:
            return _entry_finding(fund, "changed", around[c - 1],
                                  "the entry was replaced: its successor links to a different hash")
        return _entry_finding(fund, "changed", cur, "the entry's link to its predecessor was altered")
    first = linked_to[0] + 1
    return _entry_finding(fund, "inserted", entries_at(path, {first})[first],
                          f"{_plural(c - first)} put in after seq {first - 1}", last=c - 1)


def _anchor_finding(path: Path, fund: str, chain: ChainScan, anchors: list[Anchor], where: str) -> Finding | None:
    """The first anchor the chain no longer matches: a truncation, or a rewrite between two anchors."""
    good = 0
    for anchor in sorted(anchors, key=lambda a: a.size):
        if anchor.size > chain.size:
            return Finding(fund, "truncated", chain.size, anchor.size - 1, None, (),
                           f"{_plural(anchor.size - chain.size)} anchored ({where} anchor #{anchor.seq}, "
                           f"size {anchor.size}) are gone from the end of the chain")
        if chain.roots[anchor.size].hex() != anchor.root or chain.heads[anchor.size] != anchor.head.encode():
            first = entries_at(path, {good})[good]
            return Finding(fund, "chain_rewritten", good, anchor.size - 1, first.field("disbursement_id"), (),
                           f"the chain is consistent in itself, but its first {anchor.size} entries no longer have "
                           f"the Merkle root of {where} anchor #{anchor.seq}: rewritten from an entry in seq "
                           f"{good}–{anchor.size - 1}")
        good = anchor.size
    return None


def _topic_anchors(lines: list[bytes], ledger_id: str, fund: str) -> tuple[dict[int, Anchor], str | None]:
    """Published anchors by number (re-sends collapse), and what is wrong with them, if anything."""
    anchors: dict[int, Anchor] = {}
    for line in lines:
        anchor = parse_anchor(line, ledger_id, fund)
        if anchor is None:
            return anchors, "a message on the anchor topic is not a valid anchor of this ledger"
        if anchor.seq in anchors and anchors[anchor.seq].line != line:
            return anchors, f"the anchor topic holds two different anchors #{anchor.seq}"
        anchors[anchor.seq] = anchor
    return anchors, None


def _anchor_log_finding(fund: str, log: AnchorLog, topic: dict[int, Anchor] | None,
                        topic_problem: str | None) -> Finding | None:
    if log.bad_line is not None:
        detail = f"anchor log line {log.bad_line} is not a valid anchor (its hash, number or link does not check)"
    elif topic_problem:
        detail = topic_problem
    else:
        differing = [seq for seq, anchor in sorted((topic or {}).items())
                     if seq >= len(log.anchors) or log.anchors[seq].line != anchor.line]
        if not differing:
            return None
        seq = differing[0]
        detail = (f"anchor #{seq} was published to Kafka but is missing from the anchor log" if seq >= len(log.anchors)
                  else f"anchor #{seq} in the anchor log differs from the one published to Kafka")
    return Finding(fund, "anchor_log_changed", None, None, None, (), detail)


def _earliest(chain_finding: Finding | None, anchor_findings: list[Finding]) -> Finding | None:
    """The chain's own finding explains any anchor mismatch at or after it; an earlier mismatch comes first."""
    anchor_finding = min(anchor_findings, key=lambda f: f.seq, default=None)
    if chain_finding is not None and (anchor_finding is None or chain_finding.seq <= anchor_finding.last_seq):
        return chain_finding
    return anchor_finding


def verify_fund(ledger: Ledger, fund: str, topic_lines: list[bytes] | None = None,
                extra_sizes: set[int] = frozenset(), collect_ids: bool = False) -> tuple[FundVerification, ChainScan, AnchorLog]:
    """Verify one fund against its anchor log and, when given, the anchors read from Kafka."""
    started = time.monotonic()
    ledger_id = ledger.ledger_id
    path = ledger.chain_path(fund)
    log = read_log(ledger.anchor_path(fund), ledger_id, fund)
    topic, topic_problem = _topic_anchors(topic_lines, ledger_id, fund) if topic_lines is not None else (None, None)
    want = {a.size for a in log.anchors} | {a.size for a in (topic or {}).values()} | set(extra_sizes)
    chain = scan(path, fund, want, collect_ids=collect_ids)
    chain_finding = classify(path, fund, chain.first_failure) if chain.first_failure is not None else None
    anchor_findings = [f for f in (_anchor_finding(path, fund, chain, log.anchors, "log"),
                                   _anchor_finding(path, fund, chain, list((topic or {}).values()), "Kafka"))
                       if f is not None]
    finding = (_earliest(chain_finding, anchor_findings)
               or (Finding(fund, "torn_tail", chain.size, chain.size, None, (),
                           f"a partial last line of {len(chain.torn)} bytes (an append cut short); "
                           "`jixiao ledger append` removes it and keeps its bytes in repairs.jsonl")
                   if chain.torn else None)
               or _anchor_log_finding(fund, log, topic, topic_problem))
    last = log.anchors[-1] if log.anchors else None
    result = FundVerification(
        fund=fund, fund_name=ledger.config.funds[fund], ledger_id=ledger_id, entries=chain.size, finding=finding,
        anchors_in_log=len(log.anchors), anchors_in_topic=None if topic is None else len(topic),
        last_anchor_size=last.size if last else 0, last_anchor_root=last.root if last else None,
        repairs=len(ledger.repairs(fund)), checked_at=now_iso(), seconds=time.monotonic() - started)
    return result, chain, log


def verify(ledger: Ledger, cfg: Settings, funds: list[str] | None = None, use_topic: bool = True) -> VerificationReport:
    """Verify the given funds (all configured ones by default); Kafka anchors too when a broker answers."""
    with ledger.lock(exclusive=False):
        ledger_id = ledger.ledger_id
        published = read_topic(cfg, ledger.config.anchor_topic, ledger_id) if use_topic else None
        report = VerificationReport(ledger_id, published is not None)
        for fund in funds or ledger.funds:
            lines = None if published is None else published.get(fund, [])
            report.funds.append(verify_fund(ledger, fund, lines)[0])
    return report
