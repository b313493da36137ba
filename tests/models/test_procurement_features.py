"""Red-flag features computed on hand-made tenders, where every value can be worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from jixiao.models.procurement import FEATURES, confirmed_tenders, tender_features

T0 = pd.Timestamp("2026-03-02 09:00")


def _frames(tenders: list[tuple], bids: list[tuple], awards: list[tuple]):
    """tenders: (id, dept, ceiling, method); bids: (tender, bidder, price); awards: (tender, winner, price)."""
    t = pd.DataFrame([{"event_id": f"t{i}", "tender_id": a, "dept_code": d, "ceiling_price": c, "procurement_method": m,
                       "occurred_at": T0, "occurred_at_local": T0} for i, (a, d, c, m) in enumerate(tenders)])
    b = pd.DataFrame([{"event_id": f"b{i}", "tender_id": a, "bidder_id": w, "bid_price": p, "occurred_at": T0,
                       "occurred_at_local": T0} for i, (a, w, p) in enumerate(bids)])
    w = pd.DataFrame([{"event_id": f"a{i}", "tender_id": a, "winner_id": x, "award_price": p, "occurred_at": T0,
                       "occurred_at_local": T0 + pd.Timedelta(days=20)} for i, (a, x, p) in enumerate(awards)])
    return t, b, w


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    """A ring (A, B, C) takes turns at buyer D1 close to the ceiling; honest tenders at D2; one single bid."""
    tenders = [("R1", "D1", 100.0, "open"), ("R2", "D1", 200.0, "open"), ("R3", "D1", 100.0, "open"),
               ("H1", "D2", 100.0, "open"), ("H2", "D2", 100.0, "invited"), ("S1", "D2", 50.0, "single_source"),
               ("U1", "D2", 80.0, "open")]  # U1 was never awarded
    bids = [("R1", "A", 98.0), ("R1", "B", 99.0), ("R1", "C", 99.5),
            ("R2", "A", 199.0), ("R2", "B", 196.0), ("R2", "C", 198.0),
            ("R3", "A", 99.0), ("R3", "B", 98.5), ("R3", "C", 97.0),
            ("H1", "X", 80.0), ("H1", "Y", 90.0), ("H1", "A", 85.0),
            ("H2", "Y", 85.0), ("H2", "Z", 95.0),
            ("S1", "Z", 45.0), ("U1", "X", 70.0)]
    awards = [("R1", "A", 98.0), ("R2", "B", 196.0), ("R3", "C", 97.0), ("H1", "X", 80.0), ("H2", "Y", 85.0),
              ("S1", "Z", 45.0)]
    out = tender_features(*_frames(tenders, bids, awards))
    return out.set_index("tender_id")


def test_one_row_per_awarded_tender_with_every_feature(features):
    assert sorted(features.index) == ["H1", "H2", "R1", "R2", "R3", "S1"]
    assert set(FEATURES) <= set(features.columns)
    assert features.loc["R1", "period"] == "2026-03"
    assert features[list(FEATURES)].notna().all().all()


def test_price_features(features):
    assert features.loc["R1", "award_to_ceiling"] == pytest.approx(0.98)
    assert features.loc["R1", "bid_spread"] == pytest.approx((99.5 - 98.0) / 98.0)
    assert features.loc["R1", "cover_gap"] == pytest.approx((99.0 - 98.0) / 98.0)
    assert features.loc["H1", "award_to_ceiling"] == pytest.approx(0.8)
    assert features.loc["S1", "bid_spread"] == 0 and features.loc["S1", "cover_gap"] == pytest.approx(0.25)


def test_competition_features(features):
    assert features.loc["R2", "n_bidders"] == 3 and features.loc["H2", "n_bidders"] == 2
    assert features.loc["S1", "single_bid"] == 1 and features.loc["H1", "single_bid"] == 0
    assert features.loc["H2", "open_method"] == 0 and features.loc["R1", "open_method"] == 1


def test_concentration_and_repeat_winners(features):
    # D1 has three awards, each won by a different ring member: no other award at D1 went to the same winner.
    assert features.loc["R1", "winner_share_at_buyer"] == 0
    assert features.loc["R1", "buyer_winner_hhi"] == pytest.approx(3 / 9)
    # A bid four times (R1, R2, R3, H1) and won once (R1): its other bids won 0 of 3.
    assert features.loc["R1", "winner_win_rate"] == 0
    # Y won H2 and lost H1: of its other bids (1), 0 won; X won its only awarded bid.
    assert features.loc["H2", "winner_win_rate"] == 0
    # D2: awards H1 (X), H2 (Y), S1 (Z) → HHI 1/3
    assert features.loc["S1", "buyer_winner_hhi"] == pytest.approx(1 / 3)


def test_rotation_within_a_bidder_set(features):
    for ring_tender in ("R1", "R2", "R3"):
        assert features.loc[ring_tender, "set_repeats"] == 2
        assert features.loc[ring_tender, "set_rotation"] == pytest.approx(1.0)  # 3 winners over a set of 3
        assert features.loc[ring_tender, "reciprocal_wins"] == pytest.approx(1.0)  # both losers beat the winner elsewhere
    assert features.loc["H1", "set_repeats"] == 0 and features.loc["H1", "set_rotation"] == 0
    # H2's loser Z never beat Y: no reciprocity
    assert features.loc["H2", "reciprocal_wins"] == 0


def test_co_bidding_network(features):
    # A-B, A-C, B-C met on all three ring tenders: two other meetings each; A bid 4×, B and C 3×.
    assert features.loc["R1", "pair_cobids_max"] == 2
    assert features.loc["R1", "pair_affinity"] == pytest.approx((2 / 2 + 2 / 2 + 2 / 2) / 3)
    # H1: X-Y, X-A, Y-A never met elsewhere
    assert features.loc["H1", "pair_cobids_max"] == 0 and features.loc["H1", "pair_affinity"] == 0


def test_a_resent_bid_counts_once():
    tenders = [("T1", "D", 100.0, "open")]
    bids = [("T1", "A", 90.0), ("T1", "A", 90.0), ("T1", "B", 95.0)]
    out = tender_features(*_frames(tenders, bids, [("T1", "A", 90.0)]))
    assert out.loc[0, "n_bidders"] == 2


def test_only_collusion_findings_that_name_a_tender_are_labels():
    findings = pd.DataFrame({"tender_id": ["T1", None, "T2", "T3"],
                             "category": ["围标串标", "围标串标", "预算执行不到位", "围标串标"]})
    assert confirmed_tenders(findings) == {"T1", "T3"}
