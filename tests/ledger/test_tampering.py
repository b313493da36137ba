"""Each kind of tampering with a ledger of the platform's real disbursements is detected, named and located."""
from __future__ import annotations

import pytest

from jixiao.ledger import verify
from jixiao.ledger.anchors import read_topic
from ledger_helpers import (disbursement_id, forged, lines, rehashed, rewrite_anchor_log, rewrite_chain, with_record,
                            write)

pytestmark = pytest.mark.kafka


@pytest.fixture
def fund(ledger_copy) -> str:
    """The fund with the longer chain."""
    return max(ledger_copy.funds, key=lambda f: len(lines(ledger_copy.chain_path(f))))


def finding_of(ledger, cfg, fund, use_topic=True):
    report = verify(ledger, cfg, [fund], use_topic=use_topic)
    assert report.topic_checked is use_topic
    return report.funds[0].finding


def test_an_untouched_ledger_verifies_against_its_log_and_the_anchors_in_kafka(ledger_copy, kafka_broker):
    report = verify(ledger_copy, kafka_broker)
    assert report.ok, [f.finding.describe() for f in report.funds if f.finding]
    assert report.topic_checked
    published = read_topic(kafka_broker, ledger_copy.config.anchor_topic, ledger_copy.ledger_id)
    for fund in report.funds:
        assert fund.entries == len(lines(ledger_copy.chain_path(fund.fund))) > 0
        assert fund.anchors_in_topic == fund.anchors_in_log == len(published[fund.fund]) >= fund.entries // 16
        assert fund.last_anchor_size == fund.entries and fund.verified_entries == fund.entries


def test_a_changed_amount_is_named_at_its_entry(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    chain[37] = with_record(chain[37], amount="1.00")
    write(ledger_copy.chain_path(fund), chain)
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("changed", 37, disbursement_id(chain[37]))
    assert finding.fund == fund and finding.dept_codes


def test_a_changed_payee_with_its_own_hash_recomputed_is_still_named(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    chain[52] = rehashed(with_record(chain[52], payee="某某空壳公司"))
    write(ledger_copy.chain_path(fund), chain)
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("changed", 52, disbursement_id(chain[52]))


@pytest.mark.parametrize("first, count", [(40, 1), (0, 1), (70, 3)])
def test_deleted_entries_are_located(ledger_copy, kafka_broker, fund, first, count):
    chain = lines(ledger_copy.chain_path(fund))
    write(ledger_copy.chain_path(fund), chain[:first] + chain[first + count:])
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.last_seq) == ("deleted", first, first + count - 1)
    assert disbursement_id(chain[first + count]) in finding.detail  # where the chain resumes


def test_a_forged_entry_put_in_is_named(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    fake = forged(chain[29], fund, 30, amount="880000.00", dept_code="ZJ-CZJ", disbursement_id="ZF-FORGED-1",
                  payee="虚构收款单位")
    write(ledger_copy.chain_path(fund), chain[:30] + [fake] + chain[30:])
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("inserted", 30, "ZF-FORGED-1")


def test_a_copied_entry_and_a_junk_line_put_in_are_named(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    write(ledger_copy.chain_path(fund), chain[:60] + [chain[12]] + chain[60:])
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("inserted", 60, disbursement_id(chain[12]))
    write(ledger_copy.chain_path(fund), chain[:60] + [b'{"note":"manual correction"}\n'] + chain[60:])
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq) == ("inserted", 60)


def test_reordered_entries_are_named(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    swapped = chain[:44] + [chain[45], chain[44]] + chain[46:]
    write(ledger_copy.chain_path(fund), swapped)
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("reordered", 44, disbursement_id(chain[45]))
    moved = chain[:10] + chain[11:80] + [chain[10]] + chain[80:]
    write(ledger_copy.chain_path(fund), moved)
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.disbursement_id) == ("reordered", 10, disbursement_id(chain[11]))


def test_a_truncated_chain_is_caught_by_the_anchors(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    write(ledger_copy.chain_path(fund), chain[:-5])
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq, finding.last_seq) == ("truncated", len(chain) - 5, len(chain) - 1)


def test_a_rewritten_chain_is_caught_by_the_anchor_log_and_located_between_two_anchors(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    chain[57] = with_record(chain[57], amount="99.00")
    write(ledger_copy.chain_path(fund), rewrite_chain(chain, fund, start=57))
    finding = finding_of(ledger_copy, kafka_broker, fund, use_topic=False)
    assert finding.kind == "chain_rewritten" and finding.seq <= 57 <= finding.last_seq
    assert finding.last_seq - finding.seq < 16 and "log anchor" in finding.detail


def test_a_chain_rewritten_with_its_anchor_log_is_caught_by_the_anchors_in_kafka(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    chain[57] = with_record(chain[57], amount="99.00")
    rewritten = rewrite_chain(chain, fund, start=57)
    write(ledger_copy.chain_path(fund), rewritten)
    rewrite_anchor_log(ledger_copy.anchor_path(fund), rewritten, fund)
    # The files alone now agree with each other: only the published anchors still hold the original.
    assert finding_of(ledger_copy, kafka_broker, fund, use_topic=False) is None
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert finding.kind == "chain_rewritten" and finding.seq <= 57 <= finding.last_seq
    assert "Kafka anchor" in finding.detail


def test_a_whole_chain_rewritten_from_its_first_entry_is_caught(ledger_copy, kafka_broker, fund):
    chain = lines(ledger_copy.chain_path(fund))
    chain[0] = with_record(chain[0], payee="改写后的收款方")
    write(ledger_copy.chain_path(fund), rewrite_chain(chain, fund))
    finding = finding_of(ledger_copy, kafka_broker, fund)
    assert (finding.kind, finding.seq) == ("chain_rewritten", 0) and finding.last_seq < 16


def test_a_changed_anchor_log_is_caught(ledger_copy, kafka_broker, fund):
    anchors = lines(ledger_copy.anchor_path(fund))
    write(ledger_copy.anchor_path(fund), anchors[:-1])
    assert finding_of(ledger_copy, kafka_broker, fund).kind == "anchor_log_changed"
    anchors[1] = anchors[1].replace(b'"size":32', b'"size":31')
    write(ledger_copy.anchor_path(fund), anchors)
    finding = finding_of(ledger_copy, kafka_broker, fund, use_topic=False)
    assert finding.kind == "anchor_log_changed" and "line 1" in finding.detail


def test_a_torn_last_line_fails_verification_until_an_append_repairs_it(ledger_copy, kafka_broker, fund):
    path = ledger_copy.chain_path(fund)
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"hash":"0123')
    assert finding_of(ledger_copy, kafka_broker, fund).kind == "torn_tail"
