"""Benchmark: events per second of the simulator at a scale, generated only, to JSONL files and to Kafka.

    python benchmarks/simulator/bench_simulate.py --scale M --months 1

Kafka is the broker of ``JX_HOME`` / ``JX_KAFKA_PORT`` (started and stopped here if it is down). Each run
uses the same seed, so all three write the same messages. Prints one line per sink, side by side.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jixiao.runtime import kafka_local  # noqa: E402
from jixiao.runtime.config import settings  # noqa: E402
from jixiao.simulator.run import simulate  # noqa: E402
from jixiao.simulator.sinks import JsonlSink, KafkaSink  # noqa: E402


class NullSink:
    """Discards messages: measures generation and encoding alone."""

    def write_many(self, sources: list[str], keys: list[bytes], values: list[bytes], instants=None) -> None:
        pass

    def close(self) -> None:
        pass


def _timed(sink, scale: str, months: int, seed: int, truth: Path) -> tuple[int, float]:
    started = time.perf_counter()
    written = simulate(sink, scale=scale, seed=seed, months=months, truth_path=truth, progress=False)
    return sum(written.values()), time.perf_counter() - started


@click.command()
@click.option("--scale", default="M", show_default=True)
@click.option("--months", default=1, show_default=True, type=int)
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--skip-kafka", is_flag=True, help="Only generation and JSONL.")
def main(scale: str, months: int, seed: int, skip_kafka: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="jx-bench-sim-"))
    truth = work / "truth.json"
    rows = [("generate only", *_timed(NullSink(), scale, months, seed, truth))]
    rows.append(("JSONL files", *_timed(JsonlSink(work / "jsonl"), scale, months, seed, truth)))
    size = sum(p.stat().st_size for p in (work / "jsonl").glob("*.jsonl"))
    if not skip_kafka:
        cfg = settings()
        started_here = not kafka_local.status(cfg).running
        if started_here:
            kafka_local.start(cfg)
        try:
            rows.append(("Kafka (lz4, idempotent)", *_timed(KafkaSink(cfg), scale, months, seed, truth)))
        finally:
            if started_here:
                kafka_local.stop(cfg)
    shutil.rmtree(work, ignore_errors=True)
    print(f"scale {scale}, {months} month(s), seed {seed}; JSONL size {size / 2**20:,.0f} MiB")
    print(f"{'sink':<26}{'messages':>12}{'seconds':>10}{'messages/s':>14}")
    for name, count, seconds in rows:
        print(f"{name:<26}{count:>12,}{seconds:>10.1f}{count / seconds:>14,.0f}")


if __name__ == "__main__":
    main()
