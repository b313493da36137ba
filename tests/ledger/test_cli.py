"""``jixiao ledger``: one-line answers to missing prerequisites, verify's exit code and first bad entry, prove."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from jixiao.ledger.proof import check_proof
from ledger_helpers import disbursement_id, lines, with_record, write

pytestmark = pytest.mark.kafka
JIXIAO = str(Path(sys.executable).with_name("jixiao"))


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([JIXIAO, "ledger", *args], env={**os.environ, "JX_HOME": str(home), "COLUMNS": "250"},
                          capture_output=True, text=True, timeout=300)


def test_missing_prerequisites_get_one_line(tmp_path, kafka_broker):
    for args, expected in ((["verify"], "no ledger at"), (["prove", "ZF1"], "no ledger at"),
                           (["append"], "no landing zone at")):
        result = run(tmp_path / "empty", *args)
        assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_verify_exits_1_naming_the_first_bad_entry_and_append_freezes_the_fund(platform_ledger, tmp_path, kafka_broker):
    home = tmp_path / "home"
    shutil.copytree(platform_ledger, home / "ledger")
    clean = run(home, "verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "anchor log and Kafka topic jx.ledger.anchors.v1" in clean.stdout and "FIRST BAD" not in clean.stdout
    assert "anchor log only" in run(home, "verify", "--no-kafka").stdout
    assert "unknown fund nope" in run(home, "verify", "--fund", "nope").stderr

    fund = "special_rural_revitalization"
    chain = lines(home / "ledger" / fund / "chain.jsonl")
    chain[37] = with_record(chain[37], amount="1.00")
    write(home / "ledger" / fund / "chain.jsonl", chain)
    bad = run(home, "verify", "--fund", fund)
    assert bad.returncode == 1
    assert f"FIRST BAD ENTRY {fund} seq 37 ({disbursement_id(chain[37])}): changed" in bad.stdout
    (home / "landing").mkdir()
    frozen = run(home, "append")
    assert frozen.returncode == 1 and f"frozen {fund}" in frozen.stdout


def test_prove_prints_the_audit_path_and_json_that_checks(platform_ledger, tmp_path, kafka_broker):
    home = tmp_path / "home"
    shutil.copytree(platform_ledger, home / "ledger")
    target = disbursement_id(lines(home / "ledger" / "special_poverty_alleviation" / "chain.jsonl")[7])
    shown = run(home, "prove", target)
    assert shown.returncode == 0 and "the path recomputes the anchor root" in shown.stdout
    assert "(published to Kafka)" in shown.stdout and "audit path" in shown.stdout
    proof = orjson.loads(run(home, "prove", target, "--json").stdout)
    assert proof["disbursement_id"] == target and proof["seq"] == 7 and check_proof(proof)
    assert run(home, "prove", "ZF-NOPE").returncode == 1
