"""Merkle tree hashing of RFC 6962 / RFC 9162 (Certificate Transparency), SHA-256.

    leaf hash  = SHA-256(0x00 ‖ entry)          node hash = SHA-256(0x01 ‖ left ‖ right)
    MTH(D[0:n]) splits at k, the largest power of two below n: node(MTH(D[0:k]), MTH(D[k:n]))

A tree of any size is a left-to-right list of perfect subtrees (the binary digits of its size); its root
folds them from the right. :class:`Frontier` keeps that list while leaves are added, so the root after
each entry costs O(log n). Inclusion proofs (audit paths) are built and checked as in RFC 9162 §2.1.3.
"""
from __future__ import annotations

from hashlib import sha256

LEAF = b"\x00"
NODE = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    return sha256(LEAF + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(NODE + left + right).digest()


def fold(subtrees: list[bytes]) -> bytes:
    """The root of a tree given its perfect subtrees' roots, largest (leftmost) first."""
    if not subtrees:
        return sha256(b"").digest()  # MTH of the empty tree
    root = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        root = node_hash(left, root)
    return root


def levels(leaves: list[bytes]) -> list[list[bytes]]:
    """``levels[k][j]`` is the root of the perfect subtree over leaves ``[j·2^k, (j+1)·2^k)`` (complete ones only)."""
    out = [leaves]
    level = leaves
    while len(level) > 1:
        level = [sha256(NODE + a + b).digest() for a, b in zip(level[0::2], level[1::2])]
        out.append(level)
    return out


def decomposition(size: int, offset: int = 0) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` covering ``[offset, offset + size)`` (offset a multiple of
    the largest one), leftmost first."""
    out = []
    start = offset
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def root_of(leaves: list[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes."""
    tree = levels(leaves) if leaves else [[]]
    return fold([tree[level][index] for level, index in decomposition(len(leaves))])


class Frontier:
    """The perfect subtrees of a growing tree: add leaf hashes (or aligned subtree roots), read the root."""

    def __init__(self, subtrees: list[tuple[int, bytes]] | None = None):
        self.subtrees: list[tuple[int, bytes]] = list(subtrees or [])  # (level, root), largest first
        self.size = sum(1 << level for level, _ in self.subtrees)

    def add(self, root: bytes, level: int = 0) -> None:
        """Add a leaf hash (level 0) or the root of a perfect subtree of 2^level leaves at an aligned position."""
        if self.size & ((1 << level) - 1):
            raise ValueError(f"a subtree of 2^{level} leaves cannot start at leaf {self.size}")
        self.size += 1 << level
        subtrees = self.subtrees
        while subtrees and subtrees[-1][0] == level:
            root = node_hash(subtrees.pop()[1], root)
            level += 1
        subtrees.append((level, root))

    def root(self) -> bytes:
        return fold([root for _, root in self.subtrees])

    def copy(self) -> "Frontier":
        return Frontier(self.subtrees)


def inclusion_path(leaves: list[bytes], index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = 1 << ((end - start - 1).bit_length() - 1)
        if index < start + k:
            path.append(root_of(leaves[start + k:end]))
            end = start + k
        else:
            path.append(root_of(leaves[start:start + k]))
            start += k
    return path[::-1]


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from the leaf hash at ``index`` to ``root`` of a tree of ``size``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root
