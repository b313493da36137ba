"""Every well-formed generated event passes its contract; every planted malformed record fails it."""
from __future__ import annotations

import hashlib
from datetime import datetime

import jsonschema
import orjson
import pytest

from jixiao import contracts
from jixiao.ingestors.validate import Rejected, decode
from jixiao.simulator.planted import EXPECTED_REASON


def test_every_source_and_event_type_is_generated(xs_run):
    for source in contracts.SOURCES:
        seen = {e["event_type"] for e in xs_run.events(source)}
        assert seen == set(contracts.event_types(source)), source


def test_well_formed_events_pass_the_shared_validator_and_jsonschema(xs_run):
    bad = {m["sha256"] for m in xs_run.truth["malformed"]}
    envelope = jsonschema.Draft202012Validator(contracts.load_schema(None))
    payloads = {(s, t): jsonschema.Draft202012Validator(contracts.load_schema(s, t))
                for s in contracts.SOURCES for t in contracts.event_types(s)}
    checked = 0
    for source in contracts.SOURCES:
        for line in xs_run.lines(source):
            if hashlib.sha256(line).hexdigest() in bad:
                continue
            event = decode(line, source)
            raw = orjson.loads(line)
            envelope.validate(raw)
            payloads[source, raw["event_type"]].validate(raw["payload"])
            assert datetime.fromisoformat(event["occurred_at"]).utcoffset().total_seconds() == 8 * 3600
            checked += 1
    assert checked > 5000


def test_every_planted_malformed_record_is_rejected_for_its_reason(xs_run):
    planted = {m["sha256"]: m for m in xs_run.truth["malformed"]}
    assert {m["class"] for m in planted.values()} == set(EXPECTED_REASON)
    found = 0
    for source in contracts.SOURCES:
        for line in xs_run.lines(source):
            record = planted.get(hashlib.sha256(line).hexdigest())
            if record is None:
                continue
            found += 1
            assert record["source"] == source
            assert record["event_id"].encode() in line
            with pytest.raises(Rejected) as rejected:
                decode(line, source)
            assert rejected.value.reason == record["expected_reason"] == EXPECTED_REASON[record["class"]]
    assert found == len(planted)


def test_malformed_classes_look_like_their_names(xs_run):
    for m in xs_run.truth["malformed"]:
        if m["class"] == "oversized":
            assert m["bytes"] > contracts.MAX_MESSAGE_BYTES
