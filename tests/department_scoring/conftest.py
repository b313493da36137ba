"""One full ``dbt build`` on the warehouse landing fixture, with appraisal scores on the rights-list dimensions
and two scores outside them (a peer scoring 战略契合度, a third party scoring 协同配合)."""
from __future__ import annotations

import duckdb
import pytest

from jixiao import warehouse
from jixiao.config import settings
from tests.warehouse.landing_fixture import fixture_events, land

OWN_DIMENSION = {"superior": "战略契合度", "third_party": "合规性", "peer": "协同配合", "self": "目标达成度"}
VIOLATIONS = {"peer": "战略契合度", "third_party": "协同配合"}


def scoring_events() -> tuple[list[dict], list[dict]]:
    """Fixture events with each appraisal on its evaluator's own dimension, plus the violating scores."""
    events, violations = [], []
    for event in fixture_events():
        if event["source"] == "appraisal":
            event = {**event, "payload": {**event["payload"], "dimension": OWN_DIMENSION[event["payload"]["evaluator_type"]]}}
            evaluator = event["payload"]["evaluator_type"]
            if evaluator in VIOLATIONS and not violations or (evaluator in VIOLATIONS and len(violations) == 1
                                                               and violations[0]["payload"]["evaluator_type"] != evaluator):
                bad = {**event, "event_id": f"{event['event_id']}-x",
                       "payload": {**event["payload"], "dimension": VIOLATIONS[evaluator], "score": 5.0}}
                violations.append(bad)
        events.append(event)
    return events + violations, violations


@pytest.fixture(scope="session")
def scored_warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("dept") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JX_HOME", str(home))
        cfg = settings()
        events, violations = scoring_events()
        land(events, cfg)
        result = warehouse.build(cfg)
        yield {"cfg": cfg, "result": result, "violations": violations}


@pytest.fixture(scope="session")
def con(scored_warehouse):
    with duckdb.connect(str(scored_warehouse["cfg"].warehouse_path), read_only=True) as connection:
        yield connection
