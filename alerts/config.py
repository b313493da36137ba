"""Delivery settings: ``alerts/config.yaml`` (or the file ``JX_ALERTS_CONFIG`` names), then the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("config.yaml")
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Stream:
    """One kind of message: a mart of the published warehouse and the Kafka topic it goes to."""

    name: str
    mart: str
    label: str
    topic: str


@dataclass(frozen=True)
class EmailSettings:
    smtp_host: str | None
    smtp_port: int
    starttls: bool
    sender: str
    recipients: tuple[str, ...]
    max_per_mail: int
    user: str | None
    password: str | None


@dataclass(frozen=True)
class DeliverySettings:
    streams: dict[str, Stream]
    kafka_enabled: bool
    webhook_url: str | None
    webhook_timeout: float
    email: EmailSettings
    source: Path

    def stream(self, name: str) -> Stream:
        if name not in self.streams:
            raise ValueError(f"unknown alert stream {name!r}; {self.source} defines {', '.join(self.streams)}")
        return self.streams[name]


def _env(name: str, value):
    """The environment's value for ``name`` if set (converted to the type of ``value``), else ``value``."""
    raw = os.environ.get(name)
    if raw is None:
        return value
    if isinstance(value, bool):
        return raw.strip().lower() in TRUE
    if isinstance(value, (int, float)):
        return type(value)(raw)
    if isinstance(value, (list, tuple)):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw or None


def load_settings(path: Path | None = None) -> DeliverySettings:
    """Read the config file, apply the ``JX_ALERTS_*`` / ``JX_NOTICES_TOPIC`` overrides."""
    path = path or Path(os.environ.get("JX_ALERTS_CONFIG") or DEFAULT_CONFIG)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    streams = {name: Stream(name, spec["mart"], spec["label"], _env(f"JX_{name.upper()}_TOPIC", spec["topic"]))
               for name, spec in raw["streams"].items()}
    sinks = raw["sinks"]
    email = sinks["email"]
    return DeliverySettings(
        streams=streams,
        kafka_enabled=_env("JX_ALERTS_KAFKA", bool(sinks["kafka"]["enabled"])),
        webhook_url=_env("JX_ALERTS_WEBHOOK_URL", sinks["webhook"]["url"]),
        webhook_timeout=_env("JX_ALERTS_WEBHOOK_TIMEOUT", float(sinks["webhook"]["timeout_seconds"])),
        email=EmailSettings(
            smtp_host=_env("JX_ALERTS_SMTP_HOST", email["smtp_host"]),
            smtp_port=_env("JX_ALERTS_SMTP_PORT", int(email["smtp_port"])),
            starttls=_env("JX_ALERTS_SMTP_STARTTLS", bool(email["starttls"])),
            sender=_env("JX_ALERTS_EMAIL_FROM", email["sender"]),
            recipients=tuple(_env("JX_ALERTS_EMAIL_TO", list(email["recipients"] or []))),
            max_per_mail=int(email["max_per_mail"]),
            user=os.environ.get("JX_ALERTS_SMTP_USER") or None,
            password=os.environ.get("JX_ALERTS_SMTP_PASSWORD") or None,
        ),
        source=path,
    )
