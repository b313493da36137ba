"""Tampering with a ledger the way an insider with file access would, and reading it back, for the ledger tests."""
from __future__ import annotations

from dataclasses import replace
from hashlib import sha256
from pathlib import Path

import orjson

from jixiao.ledger import LedgerConfig
from jixiao.ledger.anchors import anchor_genesis
from jixiao.ledger.canonical import canonical
from jixiao.ledger.chain import Entry, entry_line, genesis
from jixiao.ledger.merkle import leaf_hash, root_of

SMALL_ANCHORS = replace(LedgerConfig.load(), anchor_every=16)
"""The production funds with an anchor every 16 entries, so a rewrite is located within 16 entries."""


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write(path: Path, new_lines: list[bytes]) -> None:
    path.write_bytes(b"".join(new_lines))


def entry(line: bytes, position: int = 0) -> Entry:
    return Entry(position, line)


def disbursement_id(line: bytes) -> str:
    return orjson.loads(line)["record"]["disbursement_id"]


def ids(path: Path) -> list[str]:
    return [disbursement_id(line) for line in lines(path)]


def with_record(line: bytes, **changes) -> bytes:
    """The same line (hash, prev, seq untouched) with fields of its record changed."""
    body = orjson.loads(line)
    body["record"].update(changes)
    return canonical(body) + b"\n"


def rehashed(line: bytes) -> bytes:
    """The line with its own hash recomputed (its successor still links to the old one)."""
    e = Entry(0, line)
    return entry_line(e.prev, e.record, e.seq)[0]


def forged(prev_line: bytes | None, fund: str, seq: int, **record) -> bytes:
    """A self-consistent new entry linked to ``prev_line`` (or to the genesis)."""
    prev = Entry(0, prev_line).hash if prev_line else genesis(fund)
    return entry_line(prev, canonical(record), seq)[0]


def rewrite_chain(original: list[bytes], fund: str, start: int = 0) -> list[bytes]:
    """Recompute every hash, prev and seq from ``start`` on: a chain consistent in itself."""
    out = original[:start]
    prev = Entry(0, out[-1]).hash if out else genesis(fund)
    for seq, line in enumerate(original[start:], start=start):
        new, prev = entry_line(prev, Entry(seq, line).record, seq)
        out.append(new)
    return out


def rewrite_anchor_log(anchor_path: Path, chain_lines: list[bytes], fund: str) -> None:
    """Recompute the anchor log for a rewritten chain: same sizes and times, new roots, heads and hashes."""
    leaves = [leaf_hash(Entry(i, line).record) for i, line in enumerate(chain_lines)]
    prev = anchor_genesis(fund)
    out = []
    for line in lines(anchor_path):
        body = orjson.loads(line)
        body.pop("hash")
        size = body["size"]
        body.update(root=root_of(leaves[:size]).hex(), head=Entry(size - 1, chain_lines[size - 1]).hash.decode(),
                    prev=prev)
        body["hash"] = prev = sha256(canonical(body)).hexdigest()
        out.append(canonical(body) + b"\n")
    write(anchor_path, out)
