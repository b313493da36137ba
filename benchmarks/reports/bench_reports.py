"""Report site benchmark: render N department pages (default 5,000) and print PDFs, from a synthetic warehouse.

The synthetic warehouse is a published warehouse (default ``$JX_HOME/warehouse/jixiao.duckdb``, e.g. after
``make demo``) with every mart's departments replicated until there are N: same schemas, same row shapes,
same number of periods and indicators per department — so the figures follow whatever the marts hold.

    .venv/bin/python benchmarks/reports/bench_reports.py [--departments 5000] [--pdfs 50] [--source PATH]
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from jixiao.reports.pdf import render_pdfs
from jixiao.reports.render import render_site
from jixiao.runtime.config import settings

DEPT_COLUMNS = ("dept_code", "partner_dept_code", "mentee_dept_code", "mentor_dept_code")


def synthesise(source: Path, target: Path, departments: int) -> int:
    """Copy every mart of ``source`` into ``target`` with departments replicated up to ``departments``."""
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        tables = con.execute("select table_name from duckdb_tables() where database_name = 'src' "
                             "and schema_name = 'marts' order by 1").fetchall()
        existing = con.execute("select count(*) from src.marts.dim_department").fetchone()[0]
        copies = math.ceil(departments / existing)
        con.execute("create schema marts")
        con.execute(f"create table copies as select range as k from range({copies})")
        con.execute(f"""create table keep as select dept_code || case when k = 0 then '' else '~' || k end as code
                        from src.marts.dim_department cross join copies order by k, dept_code limit {departments}""")
        for (table,) in tables:
            columns = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'src' and schema_name = 'marts' "
                "and table_name = ? order by column_index", [table]).fetchall()]
            if "dept_code" not in columns:
                con.execute(f"create table marts.{table} as select * from src.marts.{table}")
                continue
            select = ", ".join(
                f"{c} || case when k = 0 then '' else '~' || k end as {c}" if c in DEPT_COLUMNS
                else (f"{c} || case when k = 0 then '' else '（' || k || '）' end as {c}" if c == "dept_name" else c)
                for c in columns)
            con.execute(f"create table marts.{table} as select {select} from src.marts.{table} cross join copies")
            con.execute(f"delete from marts.{table} where dept_code not in (select code from keep)")
        con.execute("checkpoint")
        return con.execute("select count(*) from marts.dim_department").fetchone()[0]


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=5000)
    parser.add_argument("--pdfs", type=int, default=50)
    parser.add_argument("--source", type=Path, default=settings().warehouse_path)
    parser.add_argument("--keep", type=Path, help="Keep the synthetic warehouse and site in this folder.")
    args = parser.parse_args()
    if not args.source.exists():
        raise SystemExit(f"no warehouse at {args.source}: run `make demo` first or pass --source")
    work = args.keep or Path(tempfile.mkdtemp(prefix="jx-bench-reports-"))
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "synthetic.duckdb"
    warehouse.unlink(missing_ok=True)
    started = time.perf_counter()
    n = synthesise(args.source, warehouse, args.departments)
    print(f"synthetic warehouse: {n:,} departments from {args.source} in {time.perf_counter() - started:.1f} s")
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    cpu = time.process_time()
    summary = render_site(out_dir=site, database=warehouse)
    cpu = time.process_time() - cpu
    period = summary.periods[-1]
    pages = site / period
    page_bytes = [p.stat().st_size for p in pages.glob("*.html") if p.name != "index.html"]
    print(f"rendered {summary.pages:,} department pages + index for {period} in {summary.seconds:.1f} s "
          f"({summary.pages / summary.seconds:,.0f} pages/s, reading the warehouse included; "
          f"{cpu:.1f} s of CPU in this process, load average {os.getloadavg()[0]:.1f})")
    print(f"site size: {folder_size(site) / 1e6:.1f} MB (department page median "
          f"{sorted(page_bytes)[len(page_bytes) // 2] / 1e3:.1f} kB, index {(site / 'index.html').stat().st_size / 1e6:.1f} MB)")
    if args.pdfs:
        pdfs = render_pdfs(site, period, summary.departments[period][:args.pdfs], out_dir=work / "pdf")
        size = sum(p.stat().st_size for p in pdfs.files)
        print(f"printed {len(pdfs.files)} PDFs in {pdfs.seconds:.1f} s ({pdfs.per_second:.2f} PDFs/s, one browser "
              f"session, start-up included; {size / len(pdfs.files) / 1e3:.0f} kB each; load average "
              f"{os.getloadavg()[0]:.1f})")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
