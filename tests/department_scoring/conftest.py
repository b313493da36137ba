"""One full ``dbt build`` on the warehouse landing fixture, with appraisal scores on the rights-list dimensions
and two scores outside them (a peer scoring 战略契合度, a third party scoring 协同配合)."""
from __future__ import annotations

import duckdb
import pytest

from jixiao import pipeline
from jixiao.runtime.config import settings
from landing_fixture import fixture_events, land

OWN_DIMENSION = {"superior": "战略契合度", "third_party": "合规性", "peer": "协同配合", "self": "目标达成度"}
VIOLATIONS = {"peer": "战略契合度", "third_party": "协同配合"}


def scoring_events() -> tuple[list[dict], list[dict]]:
    """Fixture events with each appraisal on its evaluator's own dimension, plus the violating scores."""
    events = []
    for event in fixture_events():
        if event["source"] == "appraisal":
            payload = event["payload"]
            event = {**event, "payload": {**payload, "dimension": OWN_DIMENSION[payload["evaluator_type"]]}}
        events.append(event)
    violations = []
    for evaluator, dimension in VIOLATIONS.items():
        first = next(e for e in events if e["source"] == "appraisal" and e["payload"]["evaluator_type"] == evaluator)
        violations.append({**first, "event_id": f"{first['event_id']}-x",
                           "payload": {**first["payload"], "dimension": dimension, "score": 5.0}})
    return events + violations, violations


@pytest.fixture(scope="session")
def scored_warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("dept") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        cfg = settings()
        events, violations = scoring_events()
        land(events, cfg)
        result = pipeline.build(cfg)
        yield {"cfg": cfg, "result": result, "violations": violations, "events": events}


@pytest.fixture(scope="session")
def con(scored_warehouse):
    with duckdb.connect(str(scored_warehouse["cfg"].warehouse_path), read_only=True) as connection:
        yield connection
