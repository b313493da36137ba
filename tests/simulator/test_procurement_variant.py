"""The harder procurement variant: larger rings bidding in part, outsiders, members bidding honestly elsewhere,
honest firms meeting in small local markets; the default world keeps its simple rings."""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

import pytest
from simrun import OVERRIDES, run_to

from jixiao.simulator.planted import variant


@pytest.fixture(scope="module")
def hard_run(tmp_path_factory):
    return run_to(tmp_path_factory.mktemp("hard"), months=12, variant="hard_procurement",
                  planted_overrides={"collusive_bidding": OVERRIDES["collusive_bidding"]})


def _bids(run) -> dict[str, list[dict]]:
    bids = defaultdict(list)
    for e in run.events("procurement", "bid"):
        bids[e["payload"]["tender_id"]].append(e["payload"])
    return bids


def test_an_unknown_variant_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="hard_procurement"):
        variant("no_such_world")


def test_hard_rings_are_larger_and_bid_in_part_with_outsiders(hard_run):
    assert hard_run.truth["variant"] == "hard_procurement"
    bids = _bids(hard_run)
    awards = {e["payload"]["tender_id"]: e["payload"] for e in hard_run.events("procurement", "award")}
    partial = outsiders = 0
    for ring in hard_run.truth["collusive_rings"]:
        members = set(ring["bidder_ids"])
        assert 5 <= len(members) <= 8
        winners = Counter()
        for tender_id in ring["tender_ids"]:
            if tender_id not in awards:
                continue
            bidders = {b["bidder_id"] for b in bids[tender_id]}
            partial += not members <= bidders
            outsiders += bool(bidders - members)
            assert awards[tender_id]["winner_id"] in members
            winners[awards[tender_id]["winner_id"]] += 1
        assert len(winners) >= 3  # the win still rotates
    assert partial > 0 and outsiders > 0


def test_hard_ring_members_also_bid_on_honest_tenders(hard_run):
    ring_tenders = {t for r in hard_run.truth["collusive_rings"] for t in r["tender_ids"]}
    members = {m for r in hard_run.truth["collusive_rings"] for m in r["bidder_ids"]}
    honest_bids_by_members = sum(b["bidder_id"] in members for t, bs in _bids(hard_run).items()
                                 if t not in ring_tenders for b in bs)
    assert honest_bids_by_members > 0


def test_hard_honest_firms_meet_again_in_local_markets(hard_run):
    ring_tenders = {t for r in hard_run.truth["collusive_rings"] for t in r["tender_ids"]}
    meetings = Counter(pair for t, bs in _bids(hard_run).items() if t not in ring_tenders
                       for pair in combinations(sorted(b["bidder_id"] for b in bs), 2))
    assert max(meetings.values()) >= 3


def test_default_rings_keep_every_member_on_every_tender(tmp_path):
    run = run_to(tmp_path, months=4, planted_overrides=OVERRIDES)
    bids = _bids(run)
    for ring in run.truth["collusive_rings"]:
        assert len(ring["bidder_ids"]) <= 4
        for tender_id in ring["tender_ids"]:
            if bids.get(tender_id):
                assert {b["bidder_id"] for b in bids[tender_id]} == set(ring["bidder_ids"])
