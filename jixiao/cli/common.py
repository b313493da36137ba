"""What every command shares: the console and one-line answers to missing prerequisites."""
from __future__ import annotations

import socket

import click
from rich.console import Console

from jixiao.runtime.config import Settings, settings

console = Console()


def broker_answers(cfg: Settings | None = None) -> bool:
    """True when a broker (possibly not started by this checkout) listens on the configured port."""
    host, _, port = (cfg or settings()).bootstrap_servers.split(",")[0].rpartition(":")
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, int(port))) == 0


def require_broker(cfg: Settings | None = None) -> None:
    """Stop with one line when no broker answers."""
    cfg = cfg or settings()
    if not broker_answers(cfg):
        raise click.ClickException(f"no Kafka broker answers on {cfg.bootstrap_servers}: run `jixiao kafka start` first")


def require_warehouse(cfg: Settings | None = None) -> Settings:
    """Stop with one line when nothing has been published yet."""
    cfg = cfg or settings()
    if not cfg.warehouse_path.exists():
        raise click.ClickException(f"no published warehouse at {cfg.warehouse_path}: run `jixiao build` "
                                   "(or `make demo`) first")
    return cfg
