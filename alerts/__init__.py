"""Alerts (预警): collect the alert marts into ``marts.fct_alert``; deliver to Kafka, a webhook and e-mail.

``collect_alerts`` is a build step (it writes the candidate before the checks gate); ``deliver`` runs after
the publish, from the published warehouse, with its state in ``$JX_HOME/alerts/outbox.sqlite3``.
"""
from jixiao.alerts.collect import ALERT_COLUMNS, AlertMartError, alert_marts, collect_alerts
from jixiao.alerts.config import DeliverySettings, load_settings
from jixiao.alerts.deliver import DeliveryFailed, DeliveryReport, deliver, outbox_path
from jixiao.alerts.outbox import Outbox

__all__ = ["ALERT_COLUMNS", "AlertMartError", "DeliveryFailed", "DeliveryReport", "DeliverySettings", "Outbox",
           "alert_marts", "collect_alerts", "deliver", "load_settings", "outbox_path"]
