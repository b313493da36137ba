"""Shared spec builders for the scoring tests."""

import copy

import pytest

BASE_SPEC = {
    "version": 1,
    "indicators": {
        "a": {"normalise": {"method": "goalposts", "lower": 0, "upper": 100}},
        "b": {"direction": "lower", "normalise": {"method": "goalposts", "lower": 0, "upper": 10}},
        "c": {"normalise": {"method": "ratio_to_target", "target": 50}},
    },
    "nodes": {
        "root": {"children": {"g1": 3, "c": 1}},
        "g1": {"children": {"a": 1, "b": 1}},
    },
}


@pytest.fixture
def spec_dict():
    """A small valid spec: root = 3 * g1(a, b) + 1 * c, arithmetic."""
    return copy.deepcopy(BASE_SPEC)
