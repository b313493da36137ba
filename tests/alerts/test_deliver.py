"""Delivery to the real broker, a local webhook and a local SMTP server: each alert exactly once per sink,
a failed sink retried without re-sending to the others, state kept outside the warehouse."""
from __future__ import annotations

import shutil

import pytest
from alert_receivers import Mailbox, Webhook, topic_messages
from alert_sources import alerts

from jixiao.alerts import DeliveryFailed, Outbox, deliver, load_settings, outbox_path

pytestmark = pytest.mark.kafka


@pytest.fixture
def sinks_env(kafka_broker, monkeypatch):
    """Point the delivery settings (env overrides of alerts/config.yaml) at the local receivers."""
    def point(webhook: Webhook | None = None, mailbox: Mailbox | None = None):
        monkeypatch.setenv("JX_ALERTS_KAFKA", "true")
        if webhook:
            monkeypatch.setenv("JX_ALERTS_WEBHOOK_URL", webhook.url)
        if mailbox:
            monkeypatch.setenv("JX_ALERTS_SMTP_HOST", "127.0.0.1")
            monkeypatch.setenv("JX_ALERTS_SMTP_PORT", str(mailbox.port))
            monkeypatch.setenv("JX_ALERTS_EMAIL_TO", "duty@example.gov.cn, leader@example.gov.cn")
        return load_settings()
    return point


def on_topic(cfg, prefix: str) -> list[str]:
    return [m["alert_key"] for m in topic_messages(cfg.bootstrap_servers, "jx.alerts.v1")
            if m["alert_key"].startswith(prefix)]


def test_a_failed_sink_is_retried_alone_and_every_alert_arrives_once_everywhere(publish_alerts, sinks_env,
                                                                               key_prefix):
    cfg = publish_alerts(alerts(key_prefix, 3))
    with Webhook(fail_first=2) as webhook, Mailbox() as mailbox:
        delivery = sinks_env(webhook, mailbox)
        with pytest.raises(DeliveryFailed, match="webhook failed .*HTTP 503"):
            deliver("alerts", cfg, delivery)
        assert on_topic(cfg, key_prefix) == [f"{key_prefix}:{i}" for i in range(3)]
        assert sorted(mailbox.alert_keys()) == [f"{key_prefix}:{i}" for i in range(3)]
        assert webhook.accepted == []

        webhook.fail_first = 0
        report = deliver("alerts", cfg, delivery)  # the retry
        assert report.sent == {"kafka": 0, "webhook": 3, "email": 0}
        assert deliver("alerts", cfg, delivery).sent == {"kafka": 0, "webhook": 0, "email": 0}

        assert sorted(on_topic(cfg, key_prefix)) == [f"{key_prefix}:{i}" for i in range(3)]
        assert sorted(mailbox.alert_keys()) == [f"{key_prefix}:{i}" for i in range(3)]
        assert sorted(m["alert_key"] for m in webhook.accepted) == [f"{key_prefix}:{i}" for i in range(3)]
    first = webhook.accepted[0]
    assert first["title"] == "医疗纠纷调处时长连续异常" and first["evidence"] == {"values": [52, 55, 58]}
    assert first["source_table"] == "fct_rule_alert" and first["raised_at"].startswith("2026-07-01T00:00:00")
    assert webhook.headers[0]["Idempotency-Key"] == first["alert_key"]
    assert len(mailbox.mails) == 1 and "3 条新预警" in mailbox.mails[0]["Subject"]
    assert "医疗纠纷调处时长连续异常" in mailbox.mails[0].get_body(("plain",)).get_content()


def test_a_rebuild_raising_the_same_keys_sends_only_the_new_alert(publish_alerts, sinks_env, key_prefix):
    with Webhook() as webhook:
        delivery = sinks_env(webhook)
        cfg = publish_alerts(alerts(key_prefix, 2))
        assert deliver("alerts", cfg, delivery).sent == {"kafka": 2, "webhook": 2}
        cfg = publish_alerts([*alerts(key_prefix, 2), {"alert_key": f"{key_prefix}:new", "detail": "changed text"}])
        report = deliver("alerts", cfg, delivery)
    assert (report.messages, report.new, report.sent) == (3, 1, {"kafka": 1, "webhook": 1})
    assert sorted(on_topic(cfg, key_prefix)) == [f"{key_prefix}:0", f"{key_prefix}:1", f"{key_prefix}:new"]


def test_delivery_state_survives_a_deleted_warehouse(publish_alerts, sinks_env, key_prefix):
    delivery = sinks_env()
    cfg = publish_alerts(alerts(key_prefix, 2))
    assert deliver("alerts", cfg, delivery).sent == {"kafka": 2}
    shutil.rmtree(cfg.warehouse_dir)
    cfg = publish_alerts(alerts(key_prefix, 2))  # a full rebuild from nothing raises them again
    assert deliver("alerts", cfg, delivery).sent == {"kafka": 0}
    assert len(on_topic(cfg, key_prefix)) == 2
    status = {row["sink"]: row for row in Outbox(outbox_path(cfg)).status()}
    assert status["kafka"]["delivered"] == 2 and status["kafka"]["last_failure"] is None


def test_a_sink_switched_on_later_gets_new_alerts_only(publish_alerts, sinks_env, key_prefix):
    cfg = publish_alerts(alerts(key_prefix, 2))
    deliver("alerts", cfg, sinks_env())
    with Webhook() as webhook:
        delivery = sinks_env(webhook)
        assert deliver("alerts", cfg, delivery).sent == {"kafka": 0, "webhook": 0}
        cfg = publish_alerts([*alerts(key_prefix, 2), {"alert_key": f"{key_prefix}:later"}])
        assert deliver("alerts", cfg, delivery).sent == {"kafka": 1, "webhook": 1}
    assert [m["alert_key"] for m in webhook.accepted] == [f"{key_prefix}:later"]


def test_an_unreachable_broker_fails_kafka_only(publish_alerts, monkeypatch, key_prefix):
    cfg = publish_alerts(alerts(key_prefix, 1))
    with Webhook() as webhook:
        monkeypatch.setenv("JX_KAFKA_PORT", "47999")  # nothing listens there
        monkeypatch.setenv("JX_ALERTS_WEBHOOK_URL", webhook.url)
        from jixiao.runtime.config import settings

        with pytest.raises(DeliveryFailed, match="kafka failed .*no Kafka broker answers at 127.0.0.1:47999"):
            deliver("alerts", settings(), load_settings())
    assert [m["alert_key"] for m in webhook.accepted] == [f"{key_prefix}:0"]
