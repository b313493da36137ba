"""Inclusion proofs: one disbursement's entry is in the tree an anchor commits to (RFC 9162 §2.1.3).

Checking a proof needs only the proof and the anchor's root (e.g. read from Kafka): hash the record as a
leaf, climb the audit path, compare with the root — no ledger files, no trust in whoever produced the proof.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import orjson

from jixiao.ledger import merkle
from jixiao.ledger.anchors import read_log
from jixiao.ledger.canonical import canonical
from jixiao.ledger.chain import find_entry, leaf_hashes
from jixiao.ledger.store import Ledger


class NotInLedger(LookupError):
    """The disbursement is in no fund's chain, or not anchored yet."""


@dataclass(frozen=True)
class InclusionProof:
    ledger_id: str
    fund: str
    disbursement_id: str
    seq: int
    record: str
    leaf_hash: str
    tree_size: int
    root: str
    anchor_seq: int
    anchored_at: str
    published_to_kafka: bool
    audit_path: list[str]

    def check(self) -> bool:
        """Recompute the anchor root from the record and the audit path."""
        return check_proof(asdict(self))

    def to_json(self) -> str:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2).decode()


def check_proof(proof: dict) -> bool:
    """Does ``proof`` (an :class:`InclusionProof` as a dict, e.g. from ``jixiao ledger prove --json``) hold?"""
    return merkle.verify_inclusion(merkle.leaf_hash(proof["record"].encode("utf-8")), proof["seq"],
                                   proof["tree_size"], [bytes.fromhex(h) for h in proof["audit_path"]],
                                   bytes.fromhex(proof["root"]))


def prove(ledger: Ledger, disbursement_id: str) -> InclusionProof:
    """The audit path of a disbursement's entry up to the latest anchor that covers it."""
    needle = b'"disbursement_id":' + canonical(disbursement_id)
    with ledger.lock(exclusive=False):
        ledger_id = ledger.ledger_id
        for fund in ledger.funds:
            entry = find_entry(ledger.chain_path(fund), needle)
            if entry is None:
                continue
            anchors = [a for a in read_log(ledger.anchor_path(fund), ledger_id, fund).anchors if a.size > entry.position]
            if not anchors:
                raise NotInLedger(f"{disbursement_id} is entry {entry.position} of {fund} but no anchor covers it yet: "
                                  "run `jixiao ledger append`")
            anchor = anchors[-1]
            leaves = leaf_hashes(ledger.chain_path(fund), anchor.size)
            path = merkle.inclusion_path(leaves, entry.position, anchor.size)
            return InclusionProof(
                ledger_id, fund, disbursement_id, entry.position, entry.record.decode("utf-8"),
                leaves[entry.position].hex(), anchor.size, anchor.root, anchor.seq,
                orjson.loads(anchor.line)["anchored_at"], anchor.seq < ledger.published(fund), [h.hex() for h in path])
    raise NotInLedger(f"no special-fund ledger entry has disbursement_id {disbursement_id}")
