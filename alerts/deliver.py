"""Deliver a stream's messages from the published warehouse to every configured sink, at least once.

Reads the stream's mart (``marts.fct_alert`` for alerts) read-only from the published file, enqueues what
is new in the outbox, then sends each sink what it has not confirmed. A failing sink is recorded and
skipped; the others still deliver; the run then raises ``DeliveryFailed`` (the Airflow task retries and
re-sends only to the sink that failed).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from jixiao.alerts.config import DeliverySettings, load_settings
from jixiao.alerts.outbox import Outbox
from jixiao.alerts.sinks import Sink, configured_sinks
from jixiao.runtime.config import Settings, settings


class DeliveryFailed(RuntimeError):
    """At least one sink did not take its messages; they stay pending in the outbox."""


def outbox_path(cfg: Settings) -> Path:
    return cfg.home / "alerts" / "outbox.sqlite3"


@dataclass
class DeliveryReport:
    stream: str
    messages: int = 0
    new: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"stream": self.stream, "messages": self.messages, "new": self.new, "sent": self.sent,
                "failed": self.failed}


def published_messages(cfg: Settings, mart: str) -> list[dict]:
    """Rows of ``marts.<mart>`` in the published warehouse as JSON-ready dicts (evidence parsed)."""
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                             "and table_name = ?", [mart]).fetchone()[0]
        if not exists:
            return []
        cursor = con.execute(f"select * from marts.{mart} order by raised_at, alert_key")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    messages = []
    for row in rows:
        message = dict(zip(names, row))
        message["evidence"] = json.loads(message["evidence"]) if message.get("evidence") else None
        message["raised_at"] = message["raised_at"].isoformat() if message.get("raised_at") else None
        messages.append(json.loads(json.dumps(message, ensure_ascii=False, default=str)))
    return messages


def deliver(stream: str = "alerts", cfg: Settings | None = None, delivery: DeliverySettings | None = None,
            sinks: list[Sink] | None = None) -> DeliveryReport:
    """Enqueue the published stream and deliver what each sink still lacks; raise DeliveryFailed if one failed."""
    cfg = cfg or settings()
    delivery = delivery or load_settings()
    spec = delivery.stream(stream)
    if not cfg.warehouse_path.exists():
        raise FileNotFoundError(f"no published warehouse at {cfg.warehouse_path}: run the build first")
    sinks = configured_sinks(delivery, cfg) if sinks is None else sinks
    outbox = Outbox(outbox_path(cfg))
    outbox.register_sinks(stream, [sink.name for sink in sinks])
    messages = published_messages(cfg, spec.mart)
    report = DeliveryReport(stream, messages=len(messages), new=outbox.enqueue(stream, messages))
    for sink in sinks:
        pending = outbox.pending(stream, sink.name)
        report.sent[sink.name] = 0
        if not pending:
            continue
        try:
            for keys in sink.send(spec, pending):
                outbox.mark_delivered(stream, sink.name, keys)
                report.sent[sink.name] += len(keys)
        except Exception as error:  # noqa: BLE001 — any sink failure is recorded; the other sinks still deliver
            report.failed[sink.name] = f"{type(error).__name__}: {error}"
            outbox.record_failure(stream, sink.name, len(pending) - report.sent[sink.name], report.failed[sink.name])
    if report.failed:
        raise DeliveryFailed(f"{stream}: " + "; ".join(f"{name} failed ({error})"
                                                       for name, error in report.failed.items())
                             + f" — pending messages stay in {outbox.path}; the next delivery retries them")
    return report
