"""Decode and validate one raw Kafka message against the shared contracts; say why when it fails."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import fastjsonschema
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from jixiao import contracts


class Rejected(Exception):
    """A message that goes to the dead-letter store; ``reason`` is a short code, ``detail`` says more."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


REASONS = ("oversized", "not_utf8", "not_json", "duplicate_key", "schema_violation", "wrong_source",
           "unknown_event_type", "bad_timestamp", "future_timestamp", "conflicting_duplicate")
"""Dead-letter reasons; ``conflicting_duplicate`` (same event_id, different content) is decided by the worker's
dedup window, the others by :func:`decode`."""


_ENVELOPE_KEYS = frozenset(contracts.load_schema(None)["required"])
ENVELOPE_KEY_COUNT = len(_ENVELOPE_KEYS)


_JSON_WHITE_SPACE = b" \t\n\r"


def plainly_unique_keys(value: bytes, keys: int) -> bool:
    """True when the raw JSON certainly repeats no key: with white space removed, its ``":`` pairs number exactly the
    ``keys`` keys of the parsed object (envelope plus flat payload). Every key written yields one such pair and a
    string can only add more (an escaped quote before a colon), so a repeated key can never pass; anything
    that does not (False) is checked exactly by :func:`decode`."""
    return value.translate(None, _JSON_WHITE_SPACE).count(b'":') == keys


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise Rejected("duplicate_key", f"key {key!r} appears more than once in one object")
        seen.add(key)
    return dict(pairs)
_EVENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_OCCURRED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)")
_DEPT_CODE = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)*")
_SOURCES = frozenset(contracts.SOURCES)


_KNOWN_DEPT_CODES: set[str] = set()
"""Department codes already found valid (a few hundred in practice; bounded): one set lookup instead of a regex."""


def _new_dept_code(dept_code: str) -> bool:
    if len(dept_code) > 64 or _DEPT_CODE.fullmatch(dept_code) is None:
        return False
    if len(_KNOWN_DEPT_CODES) < 4096:
        _KNOWN_DEPT_CODES.add(dept_code)
    return True


def envelope_shape(event) -> bool:
    """valid_envelope without its two per-value regexes (event_id, occurred_at), which the landing worker
    checks for a whole chunk at once with :func:`matching_envelope_strings`."""
    if type(event) is not dict or event.keys() != _ENVELOPE_KEYS:
        return False
    event_id, event_type, occurred_at = event["event_id"], event["event_type"], event["occurred_at"]
    dept_code = event["dept_code"]
    return (type(event_id) is str and 1 <= len(event_id) <= 128
            and type(event["source"]) is str and event["source"] in _SOURCES
            and type(event_type) is str and 1 <= len(event_type) <= 64
            and type(occurred_at) is str
            and type(dept_code) is str and (dept_code in _KNOWN_DEPT_CODES or _new_dept_code(dept_code))
            and type(event["schema_version"]) is int and event["schema_version"] == 1
            and type(event["payload"]) is dict)


def valid_envelope(event) -> bool:
    """A typed check of envelope.v1.json, stricter than or equal to it (fullmatch, exact int), several times
    faster than the compiled validator; anything it refuses is judged again by the compiled validator."""
    return (envelope_shape(event) and _EVENT_ID.fullmatch(event["event_id"]) is not None
            and _OCCURRED_AT.fullmatch(event["occurred_at"]) is not None)


# RE2 (Arrow) versions of the two envelope patterns: anchored at both ends and ASCII digits only, so they
# accept a subset of what the schema's Python patterns accept (which allow a trailing newline before $ and
# any Unicode digit for \d).
_EVENT_ID_RE2 = r"\A[A-Za-z0-9_.:-]+\z"
_OCCURRED_AT_RE2 = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([+-][0-9]{2}:[0-9]{2}|Z)\z"


def matching_envelope_strings(event_ids: list[str], occurred_at: list[str]) -> list[int]:
    """Indexes where the event_id or occurred_at string fails its (strict) pattern, checked vectorised."""
    ids = pc.match_substring_regex(pa.array(event_ids, pa.string()), _EVENT_ID_RE2)
    instants = pc.match_substring_regex(pa.array(occurred_at, pa.string()), _OCCURRED_AT_RE2)
    return pc.indices_nonzero(pc.invert(pc.and_(ids, instants))).to_pylist()


def decode(value: bytes | None, source: str, broker_ms: int | None = None, max_future_ms: int | None = None) -> dict:
    """The validated envelope (``occurred_at`` still an ISO string) of a message on ``source``'s topic, or :class:`Rejected`.

    With ``broker_ms`` (the Kafka record timestamp) and ``max_future_ms``, an ``occurred_at`` further ahead of the
    broker's clock than the allowed skew is rejected as ``future_timestamp``.
    """
    if value is None:
        raise Rejected("not_json", "empty message (null value)")
    if len(value) > contracts.MAX_MESSAGE_BYTES:
        raise Rejected("oversized", f"{len(value)} bytes > {contracts.MAX_MESSAGE_BYTES}")
    try:
        event = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            raise Rejected("not_utf8", str(utf8_error)) from None
        raise Rejected("not_json", str(error)) from None
    if not plainly_unique_keys(value, _key_count(event)):
        try:
            json.loads(value, object_pairs_hook=_refuse_repeated_keys)
        except (ValueError, RecursionError):
            pass  # orjson read it; only a repeated key matters here
    if not valid_envelope(event):  # the fast typed check accepts only valid envelopes; the reference says why not
        try:
            contracts.validator(None)(event)
        except fastjsonschema.JsonSchemaException as error:
            raise Rejected("schema_violation", f"envelope: {error.message}") from None
    if event["source"] != source:
        raise Rejected("wrong_source", f"source {event['source']!r} on the topic of {source!r}")
    payload_validator = contracts.payload_validators(source).get(event["event_type"])
    if payload_validator is None:
        raise Rejected("unknown_event_type", f"{source} has no event type {event['event_type']!r}")
    try:
        payload_validator(event["payload"])
    except fastjsonschema.JsonSchemaException as error:
        raise Rejected("schema_violation", f"{event['event_type']} payload: {error.message}") from None
    try:
        instant = datetime.fromisoformat(event["occurred_at"])
    except ValueError as error:
        raise Rejected("bad_timestamp", str(error)) from None
    if broker_ms is not None and max_future_ms is not None and instant.timestamp() * 1000 > broker_ms + max_future_ms:
        broker = datetime.fromtimestamp(broker_ms / 1000, timezone.utc).isoformat(timespec="seconds")
        ahead = timedelta(milliseconds=instant.timestamp() * 1000 - broker_ms)
        raise Rejected("future_timestamp", f"occurred_at {event['occurred_at']} is {ahead} ahead of the broker "
                                           f"timestamp {broker}; allowed skew {timedelta(milliseconds=max_future_ms)} "
                                           "(JX_MAX_FUTURE_SKEW_S)")
    return event


def _key_count(event) -> int:
    """Keys of a parsed message at its first two levels (the envelope and a flat payload)."""
    if type(event) is not dict:
        return -1
    payload = event.get("payload")
    return len(event) + (len(payload) if type(payload) is dict else 0)


_BUSINESS_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no DST


def business_date(occurred_at: str) -> str:
    """YYYY-MM-DD of a validated ISO-8601 instant in Asia/Shanghai (a slice when already at +08:00)."""
    if occurred_at.endswith("+08:00"):
        return occurred_at[:10]
    instant = datetime.fromisoformat(occurred_at).astimezone(timezone.utc) + _BUSINESS_OFFSET
    return instant.date().isoformat()


# -- typed payload checks --------------------------------------------------------------------------
# Generated from the payload schemas (all are flat objects with additionalProperties false): a few
# type() and len() tests per field instead of the general compiled validator. Like the envelope check
# they only ever accept what the schema accepts (stricter where cheaper: exact types, no bool for an
# integer); whatever they refuse is judged again by the compiled validator, which accepts it or says why.
_FIELD_KEYWORDS = {"type", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum", "x-pii-text",
                   "x-reference", "description", "title"}
_TOP_KEYWORDS = {"$schema", "$id", "title", "description", "type", "required", "additionalProperties", "properties"}
_TYPE_TESTS = {"string": "type(v) is str", "boolean": "type(v) is bool", "integer": "type(v) is int",
               "number": "(type(v) is int or type(v) is float)", "null": "v is None"}


def _field_test(name: str, spec: dict, env: dict) -> str | None:
    """A Python expression over ``v`` true only for values the field's schema accepts; None when unsupported."""
    if not set(spec) <= _FIELD_KEYWORDS:
        return None
    types = spec.get("type")
    types = [types] if isinstance(types, str) else types
    if not types or any(t not in _TYPE_TESTS for t in types):
        return None
    alternatives = []
    for t in types:
        tests = [_TYPE_TESTS[t]]
        if t == "string":
            if "minLength" in spec:
                tests.append(f"len(v) >= {int(spec['minLength'])}")
            if "maxLength" in spec:
                tests.append(f"len(v) <= {int(spec['maxLength'])}")
            if "pattern" in spec:
                env[f"re_{name}"] = re.compile(spec["pattern"])  # re.search, as the compiled validator does
                tests.append(f"re_{name}.search(v) is not None")
        if t in ("integer", "number"):
            for keyword, op in (("minimum", ">="), ("maximum", "<=")):
                if keyword in spec:
                    bound = spec[keyword]
                    if type(bound) not in (int, float):
                        return None
                    tests.append(f"v {op} {bound!r}")
        alternatives.append("(" + " and ".join(tests) + ")")
    test = "(" + " or ".join(alternatives) + ")"
    if "enum" in spec:
        allowed = [e for e in spec["enum"] if type(e) in (str, int)]  # exact types: 1 never stands for True
        env[f"enum_{name}"] = frozenset((type(e), e) for e in allowed)
        test = f"({test} and (type(v), v) in enum_{name})"
    return test


def compile_payload_check(schema: dict):
    """A fast typed check of a flat object schema, or None when the schema uses anything it does not support."""
    if (not set(schema) <= _TOP_KEYWORDS or schema.get("type") != "object"
            or schema.get("additionalProperties") is not False):
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if not set(required) <= set(properties) or not all(isinstance(n, str) and n.isidentifier() for n in properties):
        return None
    env: dict = {"ALLOWED": frozenset(properties), "REQUIRED": frozenset(required), "MISSING": object()}
    lines = ["def check(p):",
             "    if type(p) is not dict: return False",
             "    keys = p.keys()",
             "    if not (keys <= ALLOWED and keys >= REQUIRED): return False"]
    for name, spec in properties.items():
        test = _field_test(name, spec, env)
        if test is None:
            return None
        getter = f"p[{name!r}]" if name in required else f"p.get({name!r}, MISSING)"
        lines.append(f"    v = {getter}")
        skip = "" if name in required else "v is not MISSING and "
        lines.append(f"    if {skip}not {test}: return False")
    lines.append("    return True")
    exec("\n".join(lines), env)  # noqa: S102 — code built from our own schema files only
    return env["check"]


def fast_payload_check(source: str) -> dict:
    """event_type → check(payload) -> bool for ``source``: the typed check where the schema allows one,
    else the compiled validator wrapped to answer True/False."""
    cached = _FAST_CHECKS.get(source)
    if cached is None:
        cached = {}
        for event_type, reference in contracts.payload_validators(source).items():
            check = compile_payload_check(contracts.load_schema(source, event_type))
            cached[event_type] = check or _answers(reference)
        _FAST_CHECKS[source] = cached
    return cached


_FAST_CHECKS: dict[str, dict] = {}


def _answers(reference):
    def check(payload) -> bool:
        try:
            reference(payload)
        except fastjsonschema.JsonSchemaException:
            return False
        return True
    return check
