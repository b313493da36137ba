"""Merkle hashing matches RFC 6962 (the Certificate Transparency reference vectors) and proofs hold only for the truth."""
from __future__ import annotations

import random

import pytest

from jixiao.ledger import merkle

# The eight leaves and tree heads of the RFC 6962 reference tests (google/certificate-transparency).
CT_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58)),
             bytes(range(0x60, 0x70))]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = {  # (leaf index, tree size) → audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
LEAVES = [merkle.leaf_hash(data) for data in CT_LEAVES]


@pytest.mark.parametrize("size", range(9))
def test_tree_heads_match_rfc_6962(size):
    assert merkle.root_of(LEAVES[:size]).hex() == CT_ROOTS[size]
    frontier = merkle.Frontier()
    for leaf in LEAVES[:size]:
        frontier.add(leaf)
    assert frontier.root().hex() == CT_ROOTS[size]


@pytest.mark.parametrize("index, size", sorted(CT_PATHS))
def test_audit_paths_match_rfc_6962(index, size):
    path = merkle.inclusion_path(LEAVES, index, size)
    assert [node.hex() for node in path] == CT_PATHS[(index, size)]
    assert merkle.verify_inclusion(LEAVES[index], index, size, path, bytes.fromhex(CT_ROOTS[size]))


def test_every_proof_of_every_tree_up_to_70_leaves_holds_and_no_wrong_one_does():
    rng = random.Random(9162)
    for size in range(1, 71):
        leaves = [merkle.leaf_hash(i.to_bytes(2, "big") + rng.randbytes(rng.randrange(40))) for i in range(size)]
        root = merkle.root_of(leaves)
        other_root = merkle.root_of(leaves + [merkle.leaf_hash(b"one more")])
        for index in range(size):
            path = merkle.inclusion_path(leaves, index, size)
            assert merkle.verify_inclusion(leaves[index], index, size, path, root)
            assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, path, root)
            if size > 1:
                assert not merkle.verify_inclusion(leaves[index], (index + 1) % size, size, path, root)
            assert not merkle.verify_inclusion(leaves[index], index, size, path, other_root)


def test_a_frontier_grown_from_aligned_blocks_has_the_same_root_as_one_grown_leaf_by_leaf():
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(1000)]
    by_leaf, by_block = merkle.Frontier(), merkle.Frontier()
    for leaf in leaves:
        by_leaf.add(leaf)
    for start in range(0, 1000, 256):
        block = leaves[start:start + 256]
        tree = merkle.levels(block)
        for level, index in merkle.decomposition(len(block)):
            by_block.add(tree[level][index], level)
    assert by_leaf.root() == by_block.root() == merkle.root_of(leaves)
    with pytest.raises(ValueError, match="cannot start at leaf 1000"):
        by_leaf.add(leaves[0], level=4)  # a subtree of 16 leaves starts at a multiple of 16
