"""``jixiao ledger append | verify | prove``: the tamper-evident ledger of special-fund disbursements."""
from __future__ import annotations

import sys

import click
from rich.table import Table

from jixiao.cli.common import console
from jixiao.runtime.config import settings


def _ledger(must_exist: bool = True):
    from jixiao.ledger import Ledger

    ledger = Ledger.of(settings())
    if must_exist and not ledger.exists():
        raise click.ClickException(f"no ledger at {ledger.root}: run `jixiao ledger append` (or `make demo`) first")
    return ledger


@click.group()
def ledger() -> None:
    """Tamper-evident ledger of special-fund disbursements (专项资金拨付存证)."""


@ledger.command()
def append() -> None:
    """Append the committed special-fund disbursements not in the ledger yet; anchor and publish the anchors."""
    from jixiao.ledger import append_from_landing

    cfg = settings()
    if not cfg.landing_dir.exists():
        raise click.ClickException(f"no landing zone at {cfg.landing_dir}: run `jixiao ingest` first")
    report = append_from_landing(cfg, _ledger(must_exist=False))
    for repair in report.repairs:
        console.print(f"[yellow]repaired[/] {repair['file']}: removed a torn last line of {repair['removed_bytes']} bytes "
                      f"at offset {repair['offset']} (kept in repairs.jsonl)")
    console.print(report.describe())
    for fund, finding in report.frozen.items():
        console.print(f"[red]frozen[/] {fund}: nothing appended, it fails verification — {finding.describe()}")
    if report.frozen:
        sys.exit(1)


@ledger.command()
@click.option("--fund", "funds", multiple=True, help="Verify only this fund (repeatable); all funds by default.")
@click.option("--no-kafka", is_flag=True, help="Check against the anchor log only, not the anchors in Kafka.")
def verify(funds: tuple[str, ...], no_kafka: bool) -> None:
    """Verify the chains against themselves, their anchor logs and the anchors in Kafka; exit 1 naming the first bad
    entry of each failing fund."""
    from jixiao.ledger import verify as run

    cfg = settings()
    ledger = _ledger()
    unknown = sorted(set(funds) - set(ledger.funds))
    if unknown:
        raise click.ClickException(f"unknown fund {', '.join(unknown)}; funds: {', '.join(ledger.funds)}")
    report = run(ledger, cfg, list(funds) or None, use_topic=not no_kafka)
    table = Table("fund", "基金", "entries", "anchors (log / Kafka)", "result", title=f"ledger {report.ledger_id}")
    for fund in report.funds:
        topic = "not read" if fund.anchors_in_topic is None else str(fund.anchors_in_topic)
        result = "[green]verified[/]" if fund.ok else f"[red]{fund.finding.kind}[/]"
        table.add_row(fund.fund, fund.fund_name, f"{fund.entries:,}", f"{fund.anchors_in_log} / {topic}", result)
    console.print(table)
    for fund in report.funds:
        if fund.finding:
            console.print(f"[red]FIRST BAD ENTRY[/] {fund.finding.describe()}")
        if fund.unanchored:
            console.print(f"[yellow]{fund.fund}: {fund.unanchored:,} entries after the last anchor[/] "
                          "(an append was cut short; the next `jixiao ledger append` anchors them)")
    seconds = sum(f.seconds for f in report.funds)
    sources = ("anchor log and Kafka topic " + ledger.config.anchor_topic if report.topic_checked
               else "anchor log only" + ("" if no_kafka else f" (no broker answers on {cfg.bootstrap_servers})"))
    console.print(f"checked against: {sources}; {report.entries:,} entries in {seconds:.2f} s"
                  + (f" ({report.entries / seconds:,.0f} entries/s)" if seconds and report.entries else ""))
    if not report.ok:
        sys.exit(1)


@ledger.command()
@click.argument("disbursement_id")
@click.option("--json", "as_json", is_flag=True, help="Print the proof as JSON (what `check_proof` takes).")
def prove(disbursement_id: str, as_json: bool) -> None:
    """Print the inclusion proof (audit path) of one disbursement against the latest anchor covering it."""
    from jixiao.ledger.proof import NotInLedger, prove as run

    try:
        proof = run(_ledger(), disbursement_id)
    except NotInLedger as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(proof.to_json())
        return
    console.print(f"disbursement {proof.disbursement_id}: fund {proof.fund}, seq {proof.seq}")
    console.print(f"record      {proof.record}", markup=False, highlight=False)
    console.print(f"leaf hash   {proof.leaf_hash}  = SHA-256(0x00 ‖ record)")
    console.print(f"anchor #{proof.anchor_seq} of {proof.anchored_at}: tree size {proof.tree_size}, root {proof.root}"
                  + (" (published to Kafka)" if proof.published_to_kafka else " (not published to Kafka yet)"))
    console.print(f"audit path  {len(proof.audit_path)} hashes, leaf → root:")
    for number, node in enumerate(proof.audit_path):
        console.print(f"  {number:2d}  {node}")
    console.print("[green]the path recomputes the anchor root[/]" if proof.check()
                  else "[red]the path does NOT recompute the anchor root[/]")
    if not proof.check():
        sys.exit(1)


COMMANDS = [ledger]
