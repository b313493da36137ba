"""Parallel test workers (pytest-xdist): each worker is its own test session with its own broker ports, and the
tests sharing a session fixture's world run on one worker, so that each world is built once per run."""
from __future__ import annotations

import os

import pytest

PORT_STRIDE = 10
"""Worker gwN's broker listens ``PORT_STRIDE × N`` above the base ports (room for the second broker at +2/+3)."""


def worker_number() -> int:
    """0 for the first xdist worker (``gw0``) and for a run without workers."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_port(variable: str, default: int) -> int:
    """A port from the environment (or its default), shifted to this worker's range."""
    return int(os.environ.get(variable, default)) + PORT_STRIDE * worker_number()


def _session_fixtures(item: pytest.Item) -> list[str]:
    """The session-scoped fixtures of the test suite's own conftests that ``item`` uses, directly or not."""
    names = []
    for name in item.fixturenames:
        definitions = item._fixtureinfo.name2fixturedefs.get(name) or ()
        if any(d.scope == "session" and d.baseid.startswith("tests") for d in definitions) and name != "kafka_broker":
            names.append(name)
    return names


def group_by_shared_world(items: list[pytest.Item]) -> None:
    """Mark every test with an ``xdist_group``: tests connected by a module or by a session fixture (other than the
    per-worker broker) form one group, named after its session fixtures (or its module), so that
    ``--dist loadgroup`` runs each module- and session-scoped fixture once. Without xdist the marks do nothing."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    modules, fixtures = {}, set()
    for item in items:
        modules[item] = item.nodeid.split("::")[0]
        root(modules[item])
        for fixture in _session_fixtures(item):
            fixtures.add(fixture)
            parent[root(fixture)] = root(modules[item])
    worlds: dict[str, list[str]] = {}
    for fixture in sorted(fixtures):
        worlds.setdefault(root(fixture), []).append(fixture)
    for item, module in modules.items():
        item.add_marker(pytest.mark.xdist_group("+".join(worlds.get(root(module), [module]))))
