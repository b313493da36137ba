"""kill -9 while appending, then restart: the ledger verifies (against Kafka too) and holds each disbursement once.

A child process appends the platform's disbursements and kills itself with SIGKILL at a chosen point: half-way
through writing chain lines or anchor lines, right after either is durable, before publishing the anchors, before
recording their publication. A second test kills a long append at random moments.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from jixiao.ledger import Ledger, append_from_landing, verify
from jixiao.runtime.config import REPO_ROOT
from ledger_helpers import SMALL_ANCHORS, ids, lines

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SUPPORT = REPO_ROOT / "tests" / "support"
KILL_AT = """
import os, signal, sys
from pathlib import Path
import jixiao.ledger.append as append
from jixiao.ledger import Ledger
from jixiao.runtime.config import settings
from ledger_helpers import SMALL_ANCHORS

point, nth, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
append.CHUNK = 20  # many writes: many places to die in
write = append.append_lines
calls = {"chain": 0, "anchors": 0}

def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)

def append_lines(path, data):
    kind = "chain" if path.name == "chain.jsonl" else "anchors"
    calls[kind] += 1
    hit = calls[kind] == nth
    if hit and point == "mid-" + kind:
        write(path, data[:len(data) // 2])
        die()
    write(path, data)
    if hit and point == "after-" + kind:
        die()

append.append_lines = append_lines
if point == "before-publish":
    append.publish = die
if point == "before-publication-recorded":
    Ledger.set_published = die
append.append_from_landing(settings(), Ledger(root, SMALL_ANCHORS))
sys.exit(3)
"""
POINTS = [("mid-chain", 1), ("mid-chain", 5), ("after-chain", 3), ("mid-anchors", 1), ("mid-anchors", 4),
          ("after-anchors", 2), ("before-publish", 1), ("before-publication-recorded", 1)]


def _child_env(home) -> dict:
    return {**os.environ, "JX_HOME": str(home), "PYTHONPATH": str(SUPPORT)}


@pytest.fixture
def crash_home(simulated_platform, tmp_path):
    """A platform home of our own that reads the shared platform's landing zone (through a symlink, read-only)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "landing").symlink_to(simulated_platform.cfg.landing_dir)
    return home


@pytest.mark.parametrize("point, nth", POINTS)
def test_kill_9_at_each_point_then_restart(point, nth, crash_home, simulated_platform, platform_ledger):
    root = crash_home / "ledger"
    child = subprocess.run([sys.executable, "-c", KILL_AT, point, str(nth), str(root)], env=_child_env(crash_home),
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, f"the kill point was not reached: {child.returncode} {child.stderr[-2000:]}"
    ledger = Ledger(root, SMALL_ANCHORS)
    report = append_from_landing(simulated_platform.cfg, ledger)  # the restart

    assert not report.frozen and report.published is not None
    reference = Ledger(platform_ledger, SMALL_ANCHORS)  # the same landing appended without a crash
    for fund in ledger.funds:
        held = ids(ledger.chain_path(fund))
        assert not [i for i, n in Counter(held).items() if n > 1], "a disbursement is held twice"
        assert ledger.chain_path(fund).read_bytes() == reference.chain_path(fund).read_bytes()
        anchored = {int(line.split(b'"size":')[1].rstrip(b"}\n")) for line in lines(ledger.anchor_path(fund))}
        assert set(range(16, len(held) + 1, 16)) | {len(held)} <= anchored
    assert bool(report.repairs) == point.startswith("mid-") and all(r["removed_bytes"] for r in report.repairs)
    result = verify(ledger, simulated_platform.cfg)
    assert result.ok and result.topic_checked, [f.finding.describe() for f in result.funds if f.finding]
    assert all(f.anchors_in_topic == f.anchors_in_log and f.unanchored == 0 for f in result.funds)


LONG_APPEND = """
import sys
from pathlib import Path
import time
import jixiao.ledger.append as append
from jixiao.ledger import Ledger
from jixiao.ledger.append import append_records
from jixiao.ledger.canonical import canonical
from jixiao.ledger.source import Disbursements
from jixiao.runtime.config import settings
from ledger_helpers import SMALL_ANCHORS

n, root = int(sys.argv[1]), Path(sys.argv[2])
append.CHUNK = 1000
write = append.append_lines

def slow_disk_append_lines(path, data):  # a disk slow enough that a kill lands mid-append on any machine
    time.sleep(0.01)
    write(path, data)

append.append_lines = slow_disk_append_lines
fund = next(iter(SMALL_ANCHORS.funds))
records = [(f"ZF{i:08d}", canonical({"amount": f"{i % 9973}.{i % 100:02d}", "dept_code": "ZJ-HZ-NYNCJ",
            "disbursement_id": f"ZF{i:08d}", "fund_type": fund, "payee": "乡村道路施工队"})) for i in range(n)]

def new(known):
    return Disbursements({fund: [r for r in records if r[0] not in known]}, 0, len(known))

append_records(settings(), Ledger(root, SMALL_ANCHORS), new)
"""
ENTRIES = 200_000
FUND = next(iter(SMALL_ANCHORS.funds))


def _chain_size(ledger: Ledger) -> int:
    path = ledger.chain_path(FUND)
    return path.stat().st_size if path.exists() else 0


def test_kill_9_at_random_moments_of_a_long_append(kafka_broker, jx_home):
    root = jx_home / "ledger"
    ledger = Ledger(root, SMALL_ANCHORS)
    rng = random.Random(16)
    sizes = []
    for _ in range(4):
        before = _chain_size(ledger)
        child = subprocess.Popen([sys.executable, "-c", LONG_APPEND, str(ENTRIES), str(root)],
                                 env=_child_env(jx_home), cwd=REPO_ROOT)
        deadline = time.monotonic() + 300
        while True:  # kill while appending, not while starting up
            exited = child.poll() is not None
            if _chain_size(ledger) > before:
                break
            assert not exited and time.monotonic() < deadline, "the append wrote nothing"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.5))
        assert child.poll() is None, "the append finished before it was killed: make it longer"
        child.send_signal(signal.SIGKILL)
        child.wait()
        sizes.append(len(lines(ledger.chain_path(FUND))))
    finish = subprocess.run([sys.executable, "-c", LONG_APPEND, str(ENTRIES), str(root)], env=_child_env(jx_home),
                            cwd=REPO_ROOT, timeout=600)
    assert finish.returncode == 0
    assert ids(ledger.chain_path(FUND)) == [f"ZF{i:08d}" for i in range(ENTRIES)]
    assert 0 < sizes[0] and sizes[-1] < ENTRIES, f"every kill must hit the chain while it grows (sizes {sizes})"
    result = verify(ledger, kafka_broker)
    assert result.ok and result.topic_checked
    print(f"\nledger crash test: {ENTRIES:,} entries, 4 kill -9 at chain sizes {sizes}, "
          f"{len(ledger.repairs(FUND))} torn tails repaired")
