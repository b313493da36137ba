"""Inclusion proofs hold for the truth against the root published to Kafka, and fail for anything else; the
hand checks in docs/ledger.md work on a real ledger as written."""
from __future__ import annotations

import re
import subprocess
from dataclasses import asdict

import orjson
import pytest

from jixiao.ledger.anchors import parse_anchor, read_topic
from jixiao.ledger.proof import NotInLedger, check_proof, prove
from jixiao.runtime.config import REPO_ROOT
from ledger_helpers import disbursement_id, lines, with_record, write

pytestmark = pytest.mark.kafka
DOCS = (REPO_ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")


def test_a_proof_checks_against_the_root_published_to_kafka_alone(ledger_copy, kafka_broker):
    fund = ledger_copy.funds[0]
    chain = lines(ledger_copy.chain_path(fund))
    for position in (0, len(chain) // 2, len(chain) - 1):
        proof = prove(ledger_copy, disbursement_id(chain[position]))
        assert (proof.fund, proof.seq, proof.tree_size) == (fund, position, len(chain))
        published = read_topic(kafka_broker, ledger_copy.config.anchor_topic, ledger_copy.ledger_id)[fund]
        anchor = parse_anchor(published[proof.anchor_seq], ledger_copy.ledger_id, fund)
        assert proof.published_to_kafka and anchor.root == proof.root
        assert check_proof(orjson.loads(proof.to_json()))


def test_a_proof_fails_for_another_record_path_or_root(ledger_copy):
    fund = ledger_copy.funds[0]
    proof = asdict(prove(ledger_copy, disbursement_id(lines(ledger_copy.chain_path(fund))[5])))
    assert check_proof(proof)
    assert not check_proof({**proof, "record": proof["record"].replace('"amount":"', '"amount":"1')})
    assert not check_proof({**proof, "seq": proof["seq"] + 1})
    assert not check_proof({**proof, "audit_path": proof["audit_path"][::-1]})
    assert not check_proof({**proof, "root": "00" * 32})


def test_a_changed_entry_cannot_be_proved_against_its_anchor(ledger_copy):
    fund = ledger_copy.funds[0]
    chain = lines(ledger_copy.chain_path(fund))
    chain[9] = with_record(chain[9], amount="1.00")
    write(ledger_copy.chain_path(fund), chain)
    assert not prove(ledger_copy, disbursement_id(chain[9])).check()
    with pytest.raises(NotInLedger):
        prove(ledger_copy, "ZF-NOT-A-DISBURSEMENT")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOCS, flags=re.S)


def test_the_hand_checks_in_the_docs_work(ledger_copy, tmp_path, monkeypatch):
    python_chain, python_proof = _blocks("python")
    (shell,) = _blocks("bash")
    fund = "special_poverty_alleviation"
    folder = str(ledger_copy.root)
    out = subprocess.run(["bash", "-c", shell.replace("var/ledger", folder)], capture_output=True, text=True, check=True)
    first, second = out.stdout.split()
    assert first == second == orjson.loads(lines(ledger_copy.chain_path(fund))[0])["hash"]

    monkeypatch.chdir(tmp_path)
    printed = []
    exec(python_chain.replace('"var/ledger"', repr(folder)), {"print": printed.append})
    assert printed and "entries verified" in printed[0]
    proof = prove(ledger_copy, disbursement_id(lines(ledger_copy.chain_path(fund))[3]))
    (tmp_path / "proof.json").write_text(proof.to_json(), encoding="utf-8")
    exec(python_proof, {"print": printed.append})
    assert printed[-1] == "included"

    chain = lines(ledger_copy.chain_path(fund))
    write(ledger_copy.chain_path(fund), chain[:3] + [with_record(chain[3], payee="改")] + chain[4:])
    with pytest.raises(AssertionError, match="seq 3 was changed"):
        exec(python_chain.replace('"var/ledger"', repr(folder)), {"print": printed.append})
