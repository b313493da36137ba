"""``jixiao review list | show | approve | reject``: the human review of held values, zombie flags and
verification tasks (人机协同). Decisions go to the append-only log and apply on the next build."""
from __future__ import annotations

import json

import click
import duckdb
from rich.table import Table

from jixiao.cli.common import console, require_warehouse
from jixiao.expectations import review as reviews

KINDS = ("hold", "zombie", "verify")


def _open():
    cfg = require_warehouse()
    con = duckdb.connect(str(cfg.warehouse_path), read_only=True)
    if not con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                       "and table_name = 'fct_review_queue'").fetchone()[0]:
        con.close()
        raise click.ClickException(f"the published warehouse {cfg.warehouse_path} has no review queue yet: run `jixiao build`")
    return cfg, con


@click.group()
def review() -> None:
    """Review the queue of held values, zombie indicators and verification tasks (人机协同)."""


@review.command("list")
@click.option("--status", type=click.Choice(["pending", "approve", "reject", "all"]), default="pending", show_default=True)
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only one kind of item.")
@click.option("--dept", "dept_code", default=None, help="Only one department (dept_code).")
@click.option("--limit", type=int, default=50, show_default=True)
def list_items(status: str, kind: str | None, dept_code: str | None, limit: int) -> None:
    """List queue items of the published warehouse (decisions logged since it was built are marked)."""
    cfg, con = _open()
    with con:
        items = reviews.queue(con, None if status == "all" else status, kind, dept_code)
    logged = reviews.not_yet_applied(cfg, items)
    table = Table(title=f"复核队列 review queue — {len(items)} item(s), status {status}", title_justify="left")
    table.add_column("review_key", overflow="fold", min_width=30)
    for column in ("kind", "department", "period", "title", "status"):
        table.add_column(column)
    for item in items[:limit]:
        pending = logged.get(item["review_key"])
        state = item["status"] + (f" → {pending.decision} (next build)" if pending else "")
        table.add_row(item["review_key"], item["kind_name"], item["dept_name"] or item["dept_code"], item["period"],
                      item["title"], state)
    console.print(table)
    if len(items) > limit:
        console.print(f"… {len(items) - limit} more (--limit)")


@review.command()
@click.argument("review_key")
def show(review_key: str) -> None:
    """Show one item with its evidence and decision history."""
    cfg, con = _open()
    with con:
        item = reviews.item(con, review_key)
    if item is None:
        raise click.ClickException(f"no review item {review_key!r} in the published warehouse: see `jixiao review list`")
    for key in ("review_key", "kind_name", "dept_code", "dept_name", "indicator_code", "indicator_name", "period",
                "value", "title", "status", "effect", "decided_by", "decided_at", "decision_reason"):
        console.print(f"[bold]{key}[/]: {item[key]}")
    console.print("[bold]evidence[/]:")
    console.print_json(json.dumps(json.loads(item["evidence"]), ensure_ascii=False))
    history = [d for d in reviews.read_decisions(cfg) if d.review_key == review_key]
    for decision in history:
        applied = "applied" if decision.decision_id == item["decision_id"] else "logged"
        console.print(f"  {decision.decided_at} {decision.reviewer}: {decision.decision} — {decision.reason} ({applied})")


def _decide(decision: str, review_key: str, reviewer: str, reason: str) -> None:
    cfg, con = _open()
    with con:
        item = reviews.item(con, review_key)
    if item is None:
        raise click.ClickException(f"no review item {review_key!r} in the published warehouse: see `jixiao review list`")
    try:
        entry = reviews.record(cfg, review_key, decision, reviewer, reason)
    except reviews.ReviewError as error:
        raise click.ClickException(str(error)) from None
    console.print(f"recorded {entry.decision} of {review_key} by {entry.reviewer} at {entry.decided_at} "
                  f"in {reviews.decision_log(cfg)}; it applies on the next build (`jixiao build`)")


def _decision_command(decision: str, effect: str) -> None:
    @review.command(name=decision, help=f"{decision.capitalize()}: {effect}")
    @click.argument("review_key")
    @click.option("--by", "reviewer", required=True, help="Reviewer's name.")
    @click.option("--reason", required=True, help="Why.")
    def command(review_key: str, reviewer: str, reason: str) -> None:
        _decide(decision, review_key, reviewer, reason)


_decision_command("approve", "a held value is scored, a zombie flag lifted, a verification task closed as verified.")
_decision_command("reject", "a held value stays out of scoring, a zombie flag is confirmed, the figures confirmed wrong.")

COMMANDS = [review]
