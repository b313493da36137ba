"""Parallel workers: the tests sharing a world (a module, or a session fixture of the suite's conftests) form one
xdist group, so that the world is built once per run; each worker's broker has ports of its own."""
from __future__ import annotations

import re

from worker import PORT_STRIDE, worker_port

from jixiao.runtime.config import REPO_ROOT

pytest_plugins = ["pytester"]

CONFTEST = """
import os
import pytest
from worker import group_by_shared_world

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    group_by_shared_world(items)

@pytest.fixture(scope="session")
def kafka_broker():
    return "per worker"

@pytest.fixture(scope="session")
def world():
    with open("builds.txt", "a") as builds:
        builds.write(os.environ.get("PYTEST_XDIST_WORKER", "-") + "\\n")
    return "built once"

@pytest.fixture
def uses_world(world):
    return world
"""

MODULES = {"test_a.py": "def test_world(world): pass\ndef test_plain(): pass\n",
           "test_b.py": "def test_indirect(uses_world): pass\n",
           "test_c.py": "def test_broker(kafka_broker): pass\ndef test_other(): pass\n",
           "test_d.py": "def test_broker_too(kafka_broker): pass\n"}


def test_tests_sharing_a_session_world_or_a_module_run_as_one_group_on_one_worker(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT / "tests" / "support"))
    tests = pytester.mkdir("tests")
    (tests / "conftest.py").write_text(CONFTEST)
    for name, text in MODULES.items():
        (tests / name).write_text(text)
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--dist", "loadgroup", "-v", "tests")
    result.assert_outcomes(passed=6)
    passed = re.findall(r"^\[(gw\d)\] .*PASSED (\S+)@(\S+)", "\n".join(result.outlines), re.M)
    placed = {nodeid: (group, worker) for worker, nodeid, group in passed}
    assert {test: group for test, (group, _) in placed.items()} == {
        "tests/test_a.py::test_world": "world", "tests/test_a.py::test_plain": "world",
        "tests/test_b.py::test_indirect": "world",
        "tests/test_c.py::test_broker": "tests/test_c.py", "tests/test_c.py::test_other": "tests/test_c.py",
        "tests/test_d.py::test_broker_too": "tests/test_d.py"}, "the per-worker broker joins no group"
    workers = {}
    for group, worker in placed.values():
        workers.setdefault(group, set()).add(worker)
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
    assert len((pytester.path / "builds.txt").read_text().split()) == 1, "the session world was built once"


def test_each_worker_shifts_the_ports_by_its_number(monkeypatch):
    monkeypatch.delenv("JX_TEST_KAFKA_PORT", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert worker_port("JX_TEST_KAFKA_PORT", 29092) == 29092
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert worker_port("JX_TEST_KAFKA_PORT", 29092) == 29092
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    monkeypatch.setenv("JX_TEST_KAFKA_PORT", "45192")
    assert worker_port("JX_TEST_KAFKA_PORT", 29092) == 45192 + 3 * PORT_STRIDE
