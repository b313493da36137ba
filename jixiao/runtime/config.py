"""Where things live and which ports they use; every value can be overridden by an env var.

Everything the platform generates goes under one output folder, ``JX_HOME`` (default ``var/``
in the checkout), so two runs with different ``JX_HOME`` and Kafka ports never collide. The
broker's data lives in ``JX_HOME/kafka`` unless ``JX_KAFKA_DIR`` says otherwise.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parents[2]
BUSINESS_TZ = "Asia/Shanghai"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Resolved paths and ports of one platform instance."""

    home: Path
    kafka_port: int
    kafka_controller_port: int
    kafka_heap: str
    kafka_dir: Path
    cache: Path
    kafka_bootstrap: str | None = None
    max_future_skew_s: float = 86_400.0
    """How far ``occurred_at`` may be ahead of the Kafka record timestamp before the event is dead-lettered as
    ``future_timestamp`` (``JX_MAX_FUTURE_SKEW_S``, seconds; default one day)."""
    scoring_workers: int = 1
    """Processes the department scoring spreads its periods over (``JX_SCORING_WORKERS``; default: the cores,
    at most 2)."""

    @property
    def bootstrap_servers(self) -> str:
        """``JX_KAFKA_BOOTSTRAP`` (a broker elsewhere, e.g. ``kafka:9092`` in docker-compose) or the local broker."""
        return self.kafka_bootstrap or f"127.0.0.1:{self.kafka_port}"

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def dead_letter_dir(self) -> Path:
        return self.home / "dead_letter"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse_dir / "jixiao.duckdb"

    @property
    def marts_dir(self) -> Path:
        return self.home / "marts"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def simulator_dir(self) -> Path:
        return self.home / "simulator"

    @property
    def review_dir(self) -> Path:
        """Reviewers' decisions (append-only log): outside the rebuildable warehouse, never reset."""
        return self.home / "review"


def settings() -> Settings:
    """Read the current settings from the environment (cheap; call it where needed)."""
    home = _env_path("JX_HOME", REPO_ROOT / "var")
    return Settings(
        home=home,
        kafka_port=int(os.environ.get("JX_KAFKA_PORT", "19092")),
        kafka_controller_port=int(os.environ.get("JX_KAFKA_CONTROLLER_PORT", "19093")),
        kafka_heap=os.environ.get("JX_KAFKA_HEAP", "768m"),
        kafka_dir=_env_path("JX_KAFKA_DIR", home / "kafka"),
        cache=_env_path("JX_CACHE", REPO_ROOT / ".cache"),
        kafka_bootstrap=os.environ.get("JX_KAFKA_BOOTSTRAP") or None,
        max_future_skew_s=float(os.environ.get("JX_MAX_FUTURE_SKEW_S", "86400")),
        scoring_workers=max(1, int(os.environ.get("JX_SCORING_WORKERS", min(2, os.cpu_count() or 1)))),
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Env vars set to ``values`` inside, and back to what they were (set or not) afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
