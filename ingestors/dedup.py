"""A partition's dedup window: the last ``size`` event ids landed from it, compact enough to hold dozens of.

An id is held as its 64-bit hash (Python's string hash: stable within the landing worker's process, which also
rebuilds the window from the landing zone when it is assigned the partition), with the Kafka offset where it first
landed and the CRC-32 of its content: three NumPy arrays of ``size`` int64 each — 24 bytes an id, against about 170
for a dict of id strings with a FIFO of them — so a worker holding 17 partitions' windows of 100,000 ids needs
about 40 MiB. Offsets grow with every id added, so the oldest ids are those with the smallest offsets: eviction
needs no queue.

A re-send is told from a new event by both numbers: same id hash and same content hash is a duplicate (dropped);
same id hash and different content is a conflicting duplicate (dead-lettered, so kept). A new event would be
dropped only if its id hash equalled another id's in the window *and* its CRC-32 that event's content: odds of about
size / 2**64 / 2**32 per event.
"""
from __future__ import annotations

import numpy as np

UNKNOWN_DIGEST = 1 << 32
"""Content hash of an event landed before content hashes existed: any re-send of it counts as a duplicate."""


def id_hashes(event_ids: list[str]) -> np.ndarray:
    """The 64-bit hashes of event ids (as held in a window of this process)."""
    return np.fromiter(map(hash, event_ids), np.int64, len(event_ids))


class DedupWindow:
    """The last ``size`` distinct ids added, oldest (smallest offset) evicted first.

    ``keys`` (sorted id hashes) with ``offsets`` and ``digests`` in the same order are searched in one vectorised
    step per slice of records."""

    def __init__(self, size: int, recent: list[tuple[str, int | None, int]] = ()):
        """``recent``: (event_id, content hash or None, offset) of the newest landed events, oldest first (the
        landing zone's ``recent_events``); of an id landed twice, the later landing is kept."""
        if size < 1:
            raise ValueError(f"a dedup window holds at least one id, not {size}")
        self.size = size
        recent = list(recent)[-size:]
        hashes = id_hashes([event_id for event_id, _, _ in recent])
        offsets = np.fromiter((offset for _, _, offset in recent), np.int64, len(recent))
        digests = np.fromiter((UNKNOWN_DIGEST if digest is None else digest for _, digest, _ in recent), np.int64,
                              len(recent))
        _, last_from_end = np.unique(hashes[::-1], return_index=True)
        kept = len(recent) - 1 - last_from_end  # the later landing of an id
        order = np.argsort(hashes[kept], kind="stable")
        self.keys, self.offsets, self.digests = hashes[kept][order], offsets[kept][order], digests[kept][order]

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """For each id hash, its index in ``keys``/``offsets``/``digests``, or -1 when the window does not hold it."""
        at = np.searchsorted(self.keys, hashes)
        inside = at < len(self.keys)
        found = np.full(len(hashes), -1, np.int64)
        found[inside] = np.where(self.keys[at[inside]] == hashes[inside], at[inside], -1)
        return found

    def add(self, hashes: np.ndarray, offsets: np.ndarray, digests: np.ndarray) -> None:
        """Add ids the window does not hold (distinct, with offsets above all it holds), evicting the oldest beyond
        ``size``."""
        if len(hashes) > self.size:
            hashes, offsets, digests = hashes[-self.size:], offsets[-self.size:], digests[-self.size:]
        evict = len(self.keys) + len(hashes) - self.size
        if evict > 0:
            keep = self.offsets > np.partition(self.offsets, evict - 1)[evict - 1]
            self.keys, self.offsets, self.digests = self.keys[keep], self.offsets[keep], self.digests[keep]
        order = np.argsort(hashes, kind="stable")
        at = np.searchsorted(self.keys, hashes[order])
        self.keys = np.insert(self.keys, at, hashes[order])
        self.offsets = np.insert(self.offsets, at, offsets[order])
        self.digests = np.insert(self.digests, at, digests[order])
