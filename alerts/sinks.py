"""Where messages go: a Kafka topic, a webhook (JSON POST), e-mail (SMTP).

Each sink's ``send`` yields the keys it has confirmed, batch by batch, so the outbox records every
confirmation at once and a failure part-way re-sends only the rest. A sink raises on the first failure.
Receivers can drop the rare repeat (a crash between a send and its record): the Kafka message key, the
webhook's ``Idempotency-Key`` header and the keys listed in each mail are the ``alert_key``.
"""
from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from collections import Counter
from email.message import EmailMessage
from typing import Iterator, Protocol

from jixiao.alerts.config import DeliverySettings, EmailSettings, Stream
from jixiao.runtime.config import Settings


class DeliveryError(RuntimeError):
    """A sink refused or could not be reached."""


class Sink(Protocol):
    name: str

    def send(self, stream: Stream, messages: list[dict]) -> Iterator[list[str]]: ...


def _body(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, sort_keys=True).encode("utf-8")


class KafkaSink:
    """Produces each message to the stream's topic, keyed by ``alert_key`` (idempotent producer, acks=all)."""

    name = "kafka"

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def send(self, stream: Stream, messages: list[dict]) -> Iterator[list[str]]:
        from kafka.errors import KafkaError

        from jixiao.runtime.kafka_client import broker_answers, ensure_topics, producer

        if not broker_answers(self.cfg, timeout=5):
            raise DeliveryError(f"no Kafka broker answers at {self.cfg.bootstrap_servers}")
        try:
            ensure_topics([stream.topic], partitions=1, cfg=self.cfg)
            client = producer(self.cfg, client_id="jixiao-alerts", linger_ms=5, max_block_ms=15000)
        except KafkaError as error:
            raise DeliveryError(f"no Kafka broker at {self.cfg.bootstrap_servers}: {error!r}") from None
        try:
            futures = [(m["alert_key"], client.send(stream.topic, key=m["alert_key"].encode("utf-8"), value=_body(m),
                                                    headers=[("jx-stream", stream.name.encode())]))
                       for m in messages]
            client.flush(timeout=60)
            confirmed = [key for key, future in futures if future.succeeded()]
            if confirmed:
                yield confirmed
            failed = [(key, future.exception) for key, future in futures if not future.succeeded()]
            if failed:
                raise DeliveryError(f"Kafka did not confirm {len(failed)} message(s) on {stream.topic}, "
                                    f"e.g. {failed[0][0]}: {failed[0][1]!r}")
        finally:
            client.close(timeout=10)


class WebhookSink:
    """POSTs each message as one JSON object; any 2xx answer confirms it."""

    name = "webhook"

    def __init__(self, url: str, timeout: float):
        self.url = url
        self.timeout = timeout

    def send(self, stream: Stream, messages: list[dict]) -> Iterator[list[str]]:
        for message in messages:
            request = urllib.request.Request(self.url, data=_body(message), method="POST", headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message["alert_key"],
                "X-Jixiao-Stream": stream.name})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, OSError) as error:
                raise DeliveryError(f"webhook {self.url} unreachable: {error}") from None
            if not 200 <= status < 300:
                raise DeliveryError(f"webhook {self.url} answered HTTP {status} for {message['alert_key']}")
            yield [message["alert_key"]]


def _digest(stream: Stream, messages: list[dict], settings: EmailSettings) -> EmailMessage:
    severities = Counter(m.get("severity") or "-" for m in messages)
    mail = EmailMessage()
    mail["Subject"] = (f"[jixiao {stream.label}] {len(messages)} 条新{stream.label}（"
                       + "，".join(f"{s} {n}" for s, n in sorted(severities.items())) + "）")
    mail["From"] = settings.sender
    mail["To"] = ", ".join(settings.recipients)
    lines = [f"绩效数据中台 jixiao：{len(messages)} 条新{stream.label}。", ""]
    for m in messages:
        lines += [f"【{m.get('severity') or '-'}】{m.get('title') or ''}",
                  f"  部门 {m.get('dept_code') or '-'} · 期间 {m.get('period') or '-'} · 类型 {m.get('alert_type') or '-'}",
                  f"  {m.get('detail') or ''}", f"  key: {m['alert_key']}", ""]
    mail.set_content("\n".join(lines), charset="utf-8")
    mail.add_attachment(json.dumps(messages, ensure_ascii=False, indent=1).encode("utf-8"),
                        maintype="application", subtype="json", filename=f"{stream.name}.json")
    return mail


class EmailSink:
    """Mails a digest of the pending messages (split at ``max_per_mail``); each accepted mail confirms its part."""

    name = "email"

    def __init__(self, settings: EmailSettings):
        self.settings = settings

    def send(self, stream: Stream, messages: list[dict]) -> Iterator[list[str]]:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.user:
                    smtp.login(s.user, s.password or "")
                for start in range(0, len(messages), s.max_per_mail):
                    part = messages[start:start + s.max_per_mail]
                    smtp.send_message(_digest(stream, part, s))
                    yield [m["alert_key"] for m in part]
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {s.smtp_host}:{s.smtp_port}: {error}") from None


def configured_sinks(settings: DeliverySettings, cfg: Settings) -> list[Sink]:
    """The sinks that are on, in delivery order."""
    sinks: list[Sink] = []
    if settings.kafka_enabled:
        sinks.append(KafkaSink(cfg))
    if settings.webhook_url:
        sinks.append(WebhookSink(settings.webhook_url, settings.webhook_timeout))
    if settings.email.smtp_host and settings.email.recipients:
        sinks.append(EmailSink(settings.email))
    return sinks
