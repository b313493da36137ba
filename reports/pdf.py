"""Department reports as A4 PDFs (Chromium's print-to-PDF through one browser session), and the site check."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from jixiao.reports.browser import BrowserUnavailable, CjkMissing, PageCheck, check_page, chromium, require_cjk
from jixiao.reports.data import departments_in_tier, periods
from jixiao.runtime.config import Settings


@dataclass
class PdfSummary:
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.files) / self.seconds if self.seconds else 0.0


def render_pdfs(site_dir: Path, period: str, dept_codes: Iterable[str], out_dir: Path | None = None,
                on_file: Callable[[Path], None] | None = None) -> PdfSummary:
    """Print ``<site>/<period>/<dept>.html`` of each department to ``<site>/pdf/<period>/<dept>.pdf`` (A4).

    Refuses (CjkMissing) before writing anything when Chinese would print as empty boxes.
    """
    site_dir = Path(site_dir)
    out_dir = Path(out_dir or site_dir / "pdf" / period)
    pages = [(code, site_dir / period / f"{code}.html") for code in dept_codes]
    missing = [str(path) for _, path in pages if not path.exists()]
    if missing:
        raise FileNotFoundError(f"no rendered page {missing[0]}: run `jixiao report --period {period}` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = PdfSummary()
    started = time.perf_counter()
    with chromium() as browser:
        page = browser.new_page()
        for i, (code, path) in enumerate(pages):
            page.goto(path.resolve().as_uri(), wait_until="load")
            if i == 0:
                require_cjk(page)
            target = out_dir / f"{code}.pdf"
            tmp = out_dir / f".{code}.pdf.tmp"
            page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#888">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
            os.replace(tmp, target)
            summary.files.append(target)
            if on_file:
                on_file(target)
    summary.seconds = time.perf_counter() - started
    return summary


def check_site(site_dir: Path, period: str, dept_code: str) -> list[PageCheck]:
    """Load the index and one department page in headless Chromium; screenshots under ``<site>/screenshots/``."""
    site_dir = Path(site_dir)
    shots = site_dir / "screenshots"
    with chromium() as browser:
        return [check_page(browser, site_dir / "index.html", shots / "index.png"),
                check_page(browser, site_dir / period / f"{dept_code}.html", shots / f"{dept_code}.png",
                           expect_radar=True, full_page=True)]


DEMO_PDFS = 5


@dataclass
class DemoReports:
    """The demo's extras on top of the site: a few PDFs and the browser check (or why they were skipped)."""

    pdfs: list[Path]
    checks: list[PageCheck]
    skipped: str | None = None


def demo_extras(cfg: Settings, tier: str = "diagnosis", limit: int = DEMO_PDFS) -> DemoReports:
    """PDFs of up to ``limit`` departments of a tier (组织健康度诊断) in the latest period, lowest score first,
    and the browser check of the site; skipped with the reason when no browser or CJK font is installed."""
    with duckdb.connect(str(cfg.warehouse_path), read_only=True) as con:
        scored = periods(con)
        if not scored:
            return DemoReports([], [], skipped="no scored month in the warehouse")
        codes = departments_in_tier(con, scored[-1], tier)[:limit]
    period = scored[-1]
    try:
        pdfs = render_pdfs(cfg.reports_dir, period, codes).files if codes else []
        checks = check_site(cfg.reports_dir, period, codes[0] if codes else _first_page(cfg.reports_dir / period))
    except (BrowserUnavailable, CjkMissing) as error:
        return DemoReports([], [], skipped=str(error))
    return DemoReports(pdfs, checks)


def _first_page(folder: Path) -> str:
    return min(p.stem for p in folder.glob("*.html") if p.stem != "index")
