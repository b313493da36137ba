"""Decoding and validation say why a message is rejected."""
from __future__ import annotations

import orjson
import pytest

from jixiao.ingestors.validate import Rejected, decode

GOOD = {"event_id": "hotline_12345-000000001", "source": "hotline_12345", "event_type": "ticket_closed",
        "occurred_at": "2026-03-01T08:00:00+08:00", "dept_code": "ZJ-HZ-SCJG", "schema_version": 1,
        "payload": {"ticket_id": "RX1", "resolved": True, "on_time": False, "satisfaction": None}}


def _reason(value: bytes, source: str = "hotline_12345") -> str:
    with pytest.raises(Rejected) as info:
        decode(value, source)
    return info.value.reason


def test_valid_event_decodes_with_an_aware_timestamp():
    event = decode(orjson.dumps(GOOD), "hotline_12345")
    assert event["occurred_at"] == "2026-03-01T08:00:00+08:00"


@pytest.mark.parametrize("mutate, reason", [
    (lambda e: e.pop("dept_code"), "schema_violation"),
    (lambda e: e["payload"].update(on_time="yes"), "schema_violation"),
    (lambda e: e["payload"].update(satisfaction=9), "schema_violation"),
    (lambda e: e.update(event_type="ticket_reopened"), "unknown_event_type"),
    (lambda e: e.update(source="petition"), "wrong_source"),
    (lambda e: e.update(occurred_at="2026-02-30T08:00:00+08:00"), "bad_timestamp"),
])
def test_rejections_name_their_reason(mutate, reason):
    event = orjson.loads(orjson.dumps(GOOD))
    mutate(event)
    assert _reason(orjson.dumps(event)) == reason


def test_not_json_not_utf8_and_oversized():
    assert _reason(b"{not json") == "not_json"
    assert _reason(orjson.dumps(GOOD).replace(b"RX1", "工单".encode("gbk"))) == "not_utf8"
    big = dict(GOOD, payload=dict(GOOD["payload"], ticket_id="x" * 70_000))
    assert _reason(orjson.dumps(big)) == "oversized"
    assert _reason(None) == "not_json"


def test_the_fast_envelope_check_never_accepts_what_the_schema_refuses():
    from hypothesis import given, settings as hsettings, strategies as st

    from jixiao import contracts
    from jixiao.ingestors.validate import valid_envelope

    reference = contracts.validator(None)
    base = {"event_id": "hotline_12345-1", "source": "hotline_12345", "event_type": "ticket_closed",
            "occurred_at": "2026-03-01T08:00:00+08:00", "dept_code": "ZJ-HZ-SCJG", "schema_version": 1,
            "payload": {}}
    values = st.one_of(st.text(max_size=140), st.integers(), st.booleans(), st.none(), st.floats(),
                       st.just({}), st.just("2026-03-01T08:00:00Z\n"), st.just("A-1\n"), st.just(1.0))

    @hsettings(max_examples=400, deadline=None)
    @given(st.dictionaries(st.sampled_from(sorted(base) + ["extra"]), values, max_size=3),
           st.sets(st.sampled_from(sorted(base)), max_size=2))
    def check(changes, removed):
        event = {k: v for k, v in {**base, **changes}.items() if k not in removed}
        if valid_envelope(event):
            reference(event)  # raises when the fast check accepted an invalid envelope

    assert valid_envelope(base)
    check()


def test_the_typed_payload_checks_never_accept_what_the_schemas_refuse():
    """Property test of every generated payload check against the compiled validator of its schema."""
    from hypothesis import given, settings as hsettings, strategies as st

    from jixiao import contracts
    from jixiao.ingestors.validate import compile_payload_check

    compiled = {(s, et): compile_payload_check(contracts.load_schema(s, et))
                for s in contracts.SOURCES for et in contracts.event_types(s)}
    compiled = {k: v for k, v in compiled.items() if v is not None}
    assert len(compiled) >= 15, "most payload schemas get a typed check"
    values = st.one_of(st.text(max_size=80), st.text(alphabet="ABZ09-\n", max_size=12), st.integers(-3, 10**7),
                       st.booleans(), st.none(), st.floats(allow_nan=False), st.just(""), st.just("GD-SZ-D01"),
                       st.just("GD-SZ-D01\n"), st.just(1.0), st.just(5), st.just(0), st.lists(st.integers(), max_size=2))

    @hsettings(max_examples=60, deadline=None)
    @given(st.data())
    def check(data):
        for (source, event_type), fast in compiled.items():
            schema = contracts.load_schema(source, event_type)
            names = sorted(schema["properties"])
            enums = [v for spec in schema["properties"].values() for v in spec.get("enum", [])]
            field_values = st.one_of(values, st.sampled_from(enums)) if enums else values
            payload = data.draw(st.fixed_dictionaries({n: field_values for n in schema["required"]}))
            payload.update(data.draw(st.dictionaries(st.sampled_from(names + ["extra"]), field_values, max_size=2)))
            if data.draw(st.booleans()) and payload:
                payload.pop(data.draw(st.sampled_from(sorted(payload))))
            if fast(payload):
                contracts.validator(source, event_type)(payload)  # raises when the fast check was too lax

    check()
    good = {"ticket_id": "T1", "category": "市政设施", "text": "路灯不亮", "assigned_dept": "GD-SZ-D01"}
    assert compiled[("hotline_12345", "ticket_created")](good)
    assert not compiled[("hotline_12345", "ticket_created")](dict(good, extra=1))
    assert not compiled[("hotline_12345", "ticket_created")](dict(good, ticket_id=12345))


@pytest.mark.parametrize("raw", [
    b'{"event_id":"a-1","event_id":"a-2","source":"hotline_12345"}',
    orjson.dumps(GOOD).replace(b'"resolved":true', b'"resolved":true,"resolved":false'),
    orjson.dumps(GOOD).replace(b'"on_time":false', b'"on_time" :false,"on_time":true'),  # white space hides nothing
    orjson.dumps(GOOD).replace(b'"ticket_id":"RX1"', b'"ticket_id":"R\\"X1","ticket_id":"RX1"'),
])
def test_a_repeated_key_is_rejected_not_last_wins(raw):
    assert _reason(raw) == "duplicate_key"


def test_keys_that_only_look_repeated_are_accepted():
    import json

    from jixiao.ingestors.validate import ENVELOPE_KEY_COUNT, plainly_unique_keys

    spaced = json.dumps(GOOD, indent=2, separators=(",", " : ")).encode()  # slow path, exact check
    assert decode(spaced, "hotline_12345")["payload"]["ticket_id"] == "RX1"
    quoted = orjson.dumps({**GOOD, "payload": {**GOOD["payload"], "ticket_id": 'R"X":1'}})
    assert decode(quoted, "hotline_12345")["payload"]["ticket_id"] == 'R"X":1'
    assert plainly_unique_keys(orjson.dumps(GOOD), ENVELOPE_KEY_COUNT + len(GOOD["payload"]))
    assert not plainly_unique_keys(quoted, ENVELOPE_KEY_COUNT + len(GOOD["payload"]))


def test_occurred_at_ahead_of_the_broker_clock_beyond_the_skew_is_rejected():
    from datetime import datetime

    broker = int(datetime.fromisoformat("2026-03-01T08:00:00+08:00").timestamp() * 1000)
    day = 86_400_000
    late = orjson.dumps({**GOOD, "occurred_at": "2026-03-02T07:59:59+08:00"})
    early = orjson.dumps({**GOOD, "occurred_at": "2026-03-02T00:00:01Z"})  # 08:00:01 at +08:00: 1 s too far
    assert decode(late, "hotline_12345", broker, day)["occurred_at"].startswith("2026-03-02")
    with pytest.raises(Rejected) as info:
        decode(early, "hotline_12345", broker, day)
    assert info.value.reason == "future_timestamp" and "JX_MAX_FUTURE_SKEW_S" in info.value.detail
    assert decode(early, "hotline_12345")["occurred_at"], "without a broker timestamp there is no skew rule"
