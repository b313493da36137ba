"""``jixiao alerts deliver|status``: alert and notice delivery from the published warehouse."""
from __future__ import annotations

import click
from rich.table import Table

from jixiao.cli.common import console, require_warehouse


@click.group()
def alerts() -> None:
    """Deliver alerts (and close notices) to Kafka, the webhook and e-mail configured in alerts/config.yaml."""


@alerts.command("deliver")
@click.option("--stream", default="alerts", show_default=True, type=click.Choice(["alerts", "notices"]))
def alerts_deliver(stream: str) -> None:
    """Send what each configured sink has not confirmed yet (at least once, deduplicated by alert_key)."""
    from jixiao.alerts import DeliveryFailed, deliver

    cfg = require_warehouse()
    try:
        report = deliver(stream, cfg)
    except DeliveryFailed as error:
        raise click.ClickException(str(error)) from None
    sent = ", ".join(f"{sink} {n}" for sink, n in report.sent.items()) or "no sink configured"
    console.print(f"{stream}: {report.messages} in the warehouse, {report.new} new; sent: {sent}")


@alerts.command("status")
def alerts_status() -> None:
    """Per stream and sink: messages, delivered, last delivery, last failure."""
    from jixiao.alerts import Outbox, outbox_path
    from jixiao.runtime.config import settings

    path = outbox_path(settings())
    if not path.exists():
        raise click.ClickException(f"nothing delivered yet ({path} does not exist): run `jixiao alerts deliver`")
    table = Table(title=str(path), title_justify="left")
    for column in ("stream", "sink", "messages", "delivered", "last_delivered_at", "last_failure"):
        table.add_column(column)
    for row in Outbox(path).status():
        table.add_row(*(str(v) if v is not None else "" for v in row.values()))
    console.print(table)


COMMANDS = [alerts]
