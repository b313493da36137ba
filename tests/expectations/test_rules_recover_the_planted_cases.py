"""On the shared simulated platform (XS, a year), the rules find what the simulator planted where the data allow it:
every faked self-reported satisfaction held, and the health bureau's abnormal months raise exactly one alert
carrying three case suggestions."""
from __future__ import annotations

import pytest

from jixiao.evaluation import rules
from jixiao.evaluation.core import Context

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def figures(simulated_platform):
    with simulated_platform.connect() as con:
        section = rules.evaluate(Context(simulated_platform.cfg, simulated_platform.truth, con))
    return {f.name: f for f in section.figures}


def test_every_faked_self_report_is_held_and_nothing_else(figures):
    for name in ("self-reported outlier (department-months held): precision",
                 "self-reported outlier (department-months held): recall"):
        assert figures[name].value == 1.0, figures[name]


def test_the_health_bureau_raises_one_alert_with_three_cases(figures):
    assert figures["health bureau: consecutive-anomaly alerts"].value == 1
    assert figures["health bureau: case suggestions on the alert"].value == 3
