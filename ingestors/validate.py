"""Decode and validate one raw Kafka message against the shared contracts; say why when it fails."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import fastjsonschema
import orjson

import contracts


class Rejected(Exception):
    """A message that goes to the dead-letter store; ``reason`` is a short code, ``detail`` says more."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


REASONS = ("oversized", "not_utf8", "not_json", "schema_violation", "wrong_source", "unknown_event_type",
           "bad_timestamp")


_ENVELOPE_KEYS = frozenset(contracts.load_schema(None)["required"])
_EVENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_OCCURRED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)")
_DEPT_CODE = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)*")
_SOURCES = frozenset(contracts.SOURCES)


def valid_envelope(event) -> bool:
    """A typed check of envelope.v1.json, stricter than or equal to it (fullmatch, exact int), several times
    faster than the compiled validator; anything it refuses is judged again by the compiled validator."""
    if type(event) is not dict or event.keys() != _ENVELOPE_KEYS:
        return False
    event_id, event_type, occurred_at = event["event_id"], event["event_type"], event["occurred_at"]
    dept_code = event["dept_code"]
    return (type(event_id) is str and _EVENT_ID.fullmatch(event_id) is not None
            and type(event["source"]) is str and event["source"] in _SOURCES
            and type(event_type) is str and 1 <= len(event_type) <= 64
            and type(occurred_at) is str and _OCCURRED_AT.fullmatch(occurred_at) is not None
            and type(dept_code) is str and len(dept_code) <= 64 and _DEPT_CODE.fullmatch(dept_code) is not None
            and type(event["schema_version"]) is int and event["schema_version"] == 1
            and type(event["payload"]) is dict)


def decode(value: bytes | None, source: str) -> dict:
    """The validated envelope (``occurred_at`` still an ISO string) of a message on ``source``'s topic, or :class:`Rejected`."""
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
        datetime.fromisoformat(event["occurred_at"])
    except ValueError as error:
        raise Rejected("bad_timestamp", str(error)) from None
    return event


_BUSINESS_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no DST


def business_date(occurred_at: str) -> str:
    """YYYY-MM-DD of a validated ISO-8601 instant in Asia/Shanghai (a slice when already at +08:00)."""
    if occurred_at.endswith("+08:00"):
        return occurred_at[:10]
    instant = datetime.fromisoformat(occurred_at).astimezone(timezone.utc) + _BUSINESS_OFFSET
    return instant.date().isoformat()
