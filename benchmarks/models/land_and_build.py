"""Land simulated JSON lines with the bulk path of ``benchmarks/warehouse/bench_build.py``, then build, into JX_HOME.

    jixiao simulate --scale S --to jsonl DIR
    JX_HOME=... python benchmarks/models/land_and_build.py DIR [--months 12]

The simulator's truth file is copied next to the landing zone's JX_HOME so ``jixiao evaluate`` finds it.
"""
from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.warehouse.bench_build import keep_valid, land  # noqa: E402
from jixiao.runtime.config import settings  # noqa: E402


@click.command()
@click.argument("jsonl_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--start", default="2026-01", show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--truth", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The simulator's truth file to copy into $JX_HOME/simulator/ for `jixiao evaluate`.")
def main(jsonl_dir: Path, start: str, months: int, truth: Path | None) -> None:
    from jixiao.pipeline import build

    cfg = settings()
    year, month = map(int, start.split("-"))
    first = date(year, month, 1)
    end = date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1)
    started = time.monotonic()
    valid = cfg.home / "valid"
    shutil.rmtree(valid, ignore_errors=True)
    kept, rejected = keep_valid(jsonl_dir, valid)
    rows = land(valid, cfg.landing_dir, first, end, "full", landed_hours_ago=24)
    shutil.rmtree(valid)
    print(f"landed {rows:,} events ({rejected:,} malformed dropped) in {time.monotonic() - started:.0f}s")
    if truth:
        cfg.simulator_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(truth, cfg.simulator_dir / "ground_truth.json")
    summary = build(cfg)
    print("build: " + ", ".join(f"{k} {v:.1f}s" for k, v in summary.seconds.items()))


if __name__ == "__main__":
    main()
