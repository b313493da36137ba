"""``jixiao report``: the report site (一部门一报告), its PDFs and its browser check."""
from __future__ import annotations

from pathlib import Path

import click
import duckdb
from rich.progress import Progress

from jixiao.cli.common import console, require_warehouse


@click.command()
@click.option("--period", "periods", multiple=True, metavar="YYYY-MM",
              help="Period to render (repeatable); default: the latest scored period.")
@click.option("--all-periods", is_flag=True, help="Render every scored period.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: $JX_HOME/reports).")
@click.option("--pdf", is_flag=True, help="Also print department reports to A4 PDFs (headless Chromium).")
@click.option("--dept", "depts", multiple=True, metavar="CODE", help="PDF of this department only (repeatable).")
@click.option("--tier", metavar="TIER_CODE", help="PDFs of one tier, e.g. diagnosis (组织健康度诊断).")
@click.option("--check", is_flag=True, help="Open the index and a department page in headless Chromium: console "
                                            "errors, offline, radar, Chinese glyphs; screenshots; exit 1 on a problem.")
def report(periods: tuple[str, ...], all_periods: bool, out: Path | None, pdf: bool, depts: tuple[str, ...],
           tier: str | None, check: bool) -> None:
    """Render the HTML report site from the published warehouse (one page per department and period)."""
    from jixiao.reports.browser import BrowserUnavailable, CjkMissing
    from jixiao.reports.data import ReportDataMissing, departments_in_tier
    from jixiao.reports.pdf import check_site, render_pdfs
    from jixiao.reports.render import render_site

    cfg = require_warehouse()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("rendering", total=None)

        def on_page(period: str, done: int, total: int) -> None:
            bar.update(task, description=f"rendering {period}", completed=done, total=total)

        try:
            site = render_site(cfg, out_dir=out, periods=list(periods), all_periods=all_periods, on_page=on_page)
        except (ReportDataMissing, ValueError) as error:
            raise click.ClickException(str(error)) from None
    if not site.periods:
        raise click.ClickException(f"the warehouse has no scored month yet; wrote {site.index} saying so")
    console.print(f"wrote {site.pages:,} department pages for {', '.join(site.periods)} and the index "
                  f"{site.index} ({site.bytes / 1e6:.1f} MB) in {site.seconds:.1f} s", soft_wrap=True)
    latest = site.periods[-1]
    try:
        if pdf or depts or tier:
            codes = list(depts) or site.departments[latest]
            if tier:
                with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
                    codes = [c for c in departments_in_tier(con, latest, tier) if not depts or c in depts]
            unknown = sorted(set(codes) - set(site.departments[latest]))
            if unknown:
                raise click.ClickException(f"unknown department {unknown[0]}")
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("printing PDFs", total=len(codes))
                result = render_pdfs(site.out_dir, latest, codes, on_file=lambda _: bar.advance(task))
            console.print(f"wrote {len(result.files)} PDFs to {site.out_dir / 'pdf' / latest} "
                          f"({result.per_second:.1f} per second)", soft_wrap=True)
        if check:
            _check(check_site(site.out_dir, latest, site.departments[latest][0]))
    except (BrowserUnavailable, CjkMissing, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None


def _check(checks) -> None:
    failed = False
    for page in checks:
        problems = page.problems()
        failed |= bool(problems)
        mark = "[green]ok[/]" if not problems else "[red]" + "; ".join(problems) + "[/]"
        console.print(f"{mark} {page.url} — screenshot {page.screenshot}", highlight=False, soft_wrap=True)
    if failed:
        raise click.ClickException("the browser check found problems (see above)")


COMMANDS = [report]
