"""Source contracts: the envelope and one JSON Schema per (source, event_type), versioned.

Used alike by the simulator (what it emits), the ingestors (what they accept) and the tests.
Schemas live in ``contracts/schemas/<source>/<event_type>.v<N>.json``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import fastjsonschema

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_VERSION = 1
SOURCES: tuple[str, ...] = (
    "gov_oa", "hotline_12345", "service_review", "finance", "audit", "petition",
    "project_progress", "procurement", "public_opinion", "approval", "appraisal",
)
MAX_MESSAGE_BYTES = 64 * 1024
"""Larger messages are rejected as oversized by the ingestors (the broker allows more)."""


def topic(source: str) -> str:
    """Kafka topic of a source system."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    return f"jx.src.{source}.v{SCHEMA_VERSION}"


def source_of_topic(topic_name: str) -> str:
    parts = topic_name.split(".")
    if len(parts) != 4 or parts[:2] != ["jx", "src"] or parts[2] not in SOURCES:
        raise ValueError(f"{topic_name!r} is not a jixiao source topic (jx.src.<source>.v1)")
    return parts[2]


def load_schema(source: str | None, event_type: str = "envelope", version: int = SCHEMA_VERSION) -> dict:
    """The JSON Schema of a payload, or of the envelope when ``source`` is None."""
    path = (SCHEMA_DIR / f"envelope.v{version}.json" if source is None
            else SCHEMA_DIR / source / f"{event_type}.v{version}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def event_types(source: str) -> tuple[str, ...]:
    """Event types with a schema for ``source``, sorted."""
    return tuple(sorted(p.name.split(".")[0] for p in (SCHEMA_DIR / source).glob("*.v*.json")))


@lru_cache(maxsize=None)
def validator(source: str | None, event_type: str = "envelope") -> Callable[[Any], Any]:
    """A compiled validator (raises ``fastjsonschema.JsonSchemaException`` on failure)."""
    return fastjsonschema.compile(load_schema(source, event_type))


@lru_cache(maxsize=None)
def payload_validators(source: str) -> dict[str, Callable[[Any], Any]]:
    """Compiled payload validators of every event type of ``source``."""
    return {et: validator(source, et) for et in event_types(source)}


@lru_cache(maxsize=None)
def pii_text_fields(source: str, event_type: str) -> tuple[str, ...]:
    """Payload fields marked ``"x-pii-text": true``: free text masked before anything lands."""
    properties = load_schema(source, event_type).get("properties", {})
    return tuple(name for name, spec in properties.items() if spec.get("x-pii-text"))


@lru_cache(maxsize=None)
def reference_fields(source: str, event_type: str) -> dict[str, str]:
    """Payload fields marked ``"x-reference": "department" | "indicator"``: codes of reference data (the warehouse
    holds an event naming an unknown code in quarantine; the dbt var ``landing_references`` lists the same fields)."""
    properties = load_schema(source, event_type).get("properties", {})
    return {name: spec["x-reference"] for name, spec in properties.items() if "x-reference" in spec}
