"""One hash chain per fund: an append-only file of canonical JSON lines, one entry per line.

    {"hash":"<h_n>","prev":"<h_n-1>","record":{…},"seq":n}
    h_n = SHA-256( {"prev":"<h_n-1>","record":{…},"seq":n} )     — the same line without its hash field

Hashes are lowercase hex; ``h_-1`` (the ``prev`` of entry 0) is SHA-256 of ``jixiao-ledger/v1:<fund>`` so a
chain cannot pass for another fund's. The record is the canonical JSON of the disbursement; the Merkle
leaf of entry n is SHA-256(0x00 ‖ record). Every field sits at a fixed byte offset or is found from the
line's end, so verification slices lines instead of parsing them, a block of lines at a time.

A line is complete only with its newline: a crash while appending can leave a torn last line (a prefix
of the bytes being written), never a changed complete one. :func:`repair_torn_tail` removes such a tail
and keeps its bytes in the fund's repair log; anything else that fails is tampering for the verifier.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

import orjson

from jixiao.ledger import merkle

HASH_AT = slice(9, 73)
PREV_AT = slice(83, 147)
BODY_FROM = 75
RECORD_FROM = 158
FRAME = b'{"hash":"'
SEQ_MARK = b',"seq":'
BLOCK_LEVEL = 14
BLOCK = 1 << BLOCK_LEVEL
"""Leaves hashed into a Merkle block at a time (aligned, so blocks are perfect subtrees)."""
READ_HINT = 8 << 20


def genesis(fund: str) -> bytes:
    """The ``prev`` of a fund's first entry (hex)."""
    return sha256(f"jixiao-ledger/v1:{fund}".encode()).hexdigest().encode()


def entry_line(prev: bytes, record: bytes, seq: int) -> tuple[bytes, bytes]:
    """The line of entry ``seq`` (with its newline) and its hash (hex)."""
    body = b'{"prev":"' + prev + b'","record":' + record + SEQ_MARK + b"%d}" % seq
    digest = sha256(body).hexdigest().encode()
    return FRAME + digest + b'",' + body[1:] + b"\n", digest


@dataclass(frozen=True)
class Entry:
    """One line taken apart (for reports and proofs; verification slices lines in bulk)."""

    position: int
    line: bytes

    @property
    def hash(self) -> bytes:
        return self.line[HASH_AT]

    @property
    def prev(self) -> bytes:
        return self.line[PREV_AT]

    @property
    def record(self) -> bytes:
        return self.line[RECORD_FROM:self.line.rfind(SEQ_MARK)]

    @property
    def seq(self) -> int | None:
        text = self.line[self.line.rfind(SEQ_MARK) + len(SEQ_MARK):].rstrip(b"\n").rstrip(b"}")
        return int(text) if text.isdigit() else None

    @property
    def well_formed(self) -> bool:
        return self.line.startswith(FRAME) and self.line[73:BODY_FROM] == b'",' and self.line.endswith(b"}\n")

    @property
    def self_consistent(self) -> bool:
        return self.well_formed and sha256(b"{" + self.line[BODY_FROM:-1]).hexdigest().encode() == self.hash

    def field(self, name: str):
        """A field of the record, or None when the record is not readable JSON."""
        try:
            return orjson.loads(self.record).get(name)
        except (orjson.JSONDecodeError, AttributeError):
            return None


@dataclass
class ChainScan:
    """One pass over a chain: where it first fails, the Merkle roots and head hashes asked for."""

    fund: str
    size: int = 0
    last_hash: bytes = b""
    first_failure: int | None = None
    roots: dict[int, bytes] = field(default_factory=dict)
    heads: dict[int, bytes] = field(default_factory=dict)
    frontier: merkle.Frontier = field(default_factory=merkle.Frontier)
    torn: bytes = b""
    ids: set[str] = field(default_factory=set)


def _lines(path: Path):
    """Lists of lines (newline kept) read a few MiB at a time; the last line may lack its newline."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        while lines := handle.readlines(READ_HINT):
            yield lines


def _first_difference(left: list, right: list) -> int:
    return next(i for i, (a, b) in enumerate(zip(left, right)) if a != b)


class _Blocks:
    """Leaf hashes grouped into aligned Merkle blocks; answers roots at wanted sizes as blocks complete."""

    def __init__(self, scan: ChainScan, wanted: list[int]):
        self.scan, self.wanted, self.next_wanted = scan, wanted, 0
        self.pending: list[bytes] = []
        self.base = 0

    def add(self, leaves: list[bytes]) -> None:
        self.pending += leaves
        while len(self.pending) >= BLOCK:
            block, self.pending = self.pending[:BLOCK], self.pending[BLOCK:]
            self._close(block)

    def finish(self) -> None:
        self._close(self.pending)
        self.pending = []

    def _close(self, leaves: list[bytes]) -> None:
        tree = merkle.levels(leaves)
        frontier = self.scan.frontier
        end = self.base + len(leaves)
        while self.next_wanted < len(self.wanted) and self.wanted[self.next_wanted] <= end:
            size = self.wanted[self.next_wanted]
            inside = [tree[level][index] for level, index in merkle.decomposition(size - self.base)]
            self.scan.roots[size] = merkle.fold([root for _, root in frontier.subtrees] + inside)
            self.next_wanted += 1
        for level, index in merkle.decomposition(len(leaves)):
            frontier.add(tree[level][index], level)
        self.base = end


def scan(path: Path, fund: str, want: set[int] | frozenset = frozenset(), collect_ids: bool = False) -> ChainScan:
    """Check every complete line of a chain (form, own hash, link to the previous line, sequence number),
    compute its Merkle leaves, and the roots and head hashes at the sizes in ``want``."""
    result = ChainScan(fund)
    wanted = sorted(size for size in want if size > 0)
    if 0 in want:
        result.roots[0] = merkle.fold([])
    blocks = _Blocks(result, wanted)
    heads = iter(wanted)
    next_head = next(heads, None)
    prev = genesis(fund)
    position = 0
    for lines in _lines(path):
        if not lines[-1].endswith(b"\n"):
            result.torn = lines.pop()
        if not lines:
            continue
        n = len(lines)
        cuts = [line.rfind(SEQ_MARK) for line in lines]
        hashes = [line[HASH_AT] for line in lines]
        if result.first_failure is None:
            checks = (
                ([line[:9] + line[73:BODY_FROM] + line[-2:] for line in lines], [FRAME + b'",}\n'] * n),
                ([sha256(b"{" + line[BODY_FROM:-1]).hexdigest().encode() for line in lines], hashes),
                ([line[PREV_AT] for line in lines], [prev, *hashes[:-1]]),
                ([line[cut + 7:-2] for line, cut in zip(lines, cuts)], [b"%d" % i for i in range(position, position + n)]),
            )
            failures = [_first_difference(found, expected) for found, expected in checks if found != expected]
            if failures:
                result.first_failure = position + min(failures)
        blocks.add([sha256(b"\x00" + line[RECORD_FROM:cut]).digest() for line, cut in zip(lines, cuts)])
        if collect_ids:
            result.ids.update(_disbursement_id(line[RECORD_FROM:cut]) for line, cut in zip(lines, cuts))
        while next_head is not None and next_head <= position + n:
            result.heads[next_head] = hashes[next_head - position - 1]
            next_head = next(heads, None)
        prev = hashes[-1]
        position += n
    blocks.finish()
    result.size = position
    result.last_hash = prev
    return result


def _disbursement_id(record: bytes) -> str:
    try:
        return orjson.loads(record)["disbursement_id"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return ""


def entries_at(path: Path, positions: set[int]) -> dict[int, Entry]:
    """The complete lines at the given positions (a second, slower pass used to explain a failure)."""
    found: dict[int, Entry] = {}
    position = 0
    for lines in _lines(path):
        for line in lines:
            if line.endswith(b"\n") and position in positions:
                found[position] = Entry(position, line)
            position += 1
        if len(found) == len(positions):
            break
    return found


def positions_of_hashes(path: Path, hashes: set[bytes]) -> dict[bytes, list[int]]:
    """Where lines with the given hash fields are (a second pass used to explain a failure)."""
    found: dict[bytes, list[int]] = {h: [] for h in hashes}
    position = 0
    for lines in _lines(path):
        for line in lines:
            value = line[HASH_AT]
            if value in found:
                found[value].append(position)
            position += 1
    return found


def torn_tail(path: Path) -> bytes:
    """The bytes after the last newline of a file (a write cut short), empty when it ends cleanly."""
    try:
        end = path.stat().st_size
    except FileNotFoundError:
        return b""
    tail = b""
    with open(path, "rb") as handle:
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            chunk = handle.read(end - start)
            tail = chunk + tail
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                return tail[newline + 1:]
            end = start
    return tail


def cut_tail(path: Path, tail: bytes) -> int:
    """Truncate ``tail`` off the end of a file, durably; return the new size."""
    size = path.stat().st_size - len(tail)
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)
    return size


def find_entry(path: Path, needle: bytes) -> Entry | None:
    """The first complete line containing ``needle``."""
    position = 0
    for lines in _lines(path):
        for line in lines:
            if needle in line and line.endswith(b"\n"):
                return Entry(position, line)
            position += 1
    return None


def leaf_hashes(path: Path, limit: int) -> list[bytes]:
    """The Merkle leaves of the first ``limit`` entries."""
    leaves: list[bytes] = []
    for lines in _lines(path):
        leaves += [sha256(b"\x00" + line[RECORD_FROM:line.rfind(SEQ_MARK)]).digest() for line in lines]
        if len(leaves) >= limit:
            break
    return leaves[:limit]
