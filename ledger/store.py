"""The ledger's folder, its configuration and its lock.

Layout under ``$JX_HOME/ledger/`` (outside the warehouse, which is rebuilt; nothing here is ever
rewritten, only appended to)::

    ledger.json                    this ledger's id (anchors in Kafka are keyed by it) and format
    <fund>/chain.jsonl             the hash chain of the fund's disbursements
    <fund>/anchors.jsonl           the anchor log (Merkle roots of the chain), a hash chain of its own
    <fund>/anchors.published       number of anchors already published to Kafka
    <fund>/repairs.jsonl           torn tails removed after a crash, with their bytes
    .lock                          appenders hold it exclusively, verifiers shared
"""
from __future__ import annotations

import fcntl
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import yaml

from jixiao.ledger.canonical import canonical
from jixiao.runtime.config import BUSINESS_TZ, Settings
from jixiao.runtime.files import append_lines, fsync_folder

CONFIG_PATH = Path(__file__).with_name("config.yaml")
FORMAT = "jixiao-ledger/1"


@dataclass(frozen=True)
class LedgerConfig:
    funds: dict[str, str]  # fund_type → Chinese name
    custodian_dept_type: str
    custodian_level: str
    anchor_every: int
    anchor_topic: str

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> "LedgerConfig":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(dict(raw["funds"]), raw["custodian"]["dept_type"], raw["custodian"]["level"],
                   int(raw["anchor_every"]), raw["anchor_topic"])


def now_iso() -> str:
    """The current instant in business time (Asia/Shanghai), ISO-8601 with offset."""
    return datetime.now(ZoneInfo(BUSINESS_TZ)).isoformat(timespec="microseconds")


class Ledger:
    """The ledger of one platform instance (``$JX_HOME/ledger``) or any folder holding one."""

    def __init__(self, root: Path, config: LedgerConfig | None = None):
        self.root = Path(root)
        self.config = config or LedgerConfig.load()

    @classmethod
    def of(cls, cfg: Settings, config: LedgerConfig | None = None) -> "Ledger":
        return cls(cfg.home / "ledger", config)

    @property
    def funds(self) -> list[str]:
        return list(self.config.funds)

    def chain_path(self, fund: str) -> Path:
        return self.root / fund / "chain.jsonl"

    def anchor_path(self, fund: str) -> Path:
        return self.root / fund / "anchors.jsonl"

    def published_path(self, fund: str) -> Path:
        return self.root / fund / "anchors.published"

    def repairs_path(self, fund: str) -> Path:
        return self.root / fund / "repairs.jsonl"

    def exists(self) -> bool:
        return (self.root / "ledger.json").exists()

    @property
    def ledger_id(self) -> str:
        """This ledger's id (the key of its anchors in Kafka)."""
        return orjson.loads((self.root / "ledger.json").read_bytes())["ledger_id"]

    def create(self) -> str:
        """Give a new ledger its id (never replaces an existing one); return the id."""
        meta = self.root / "ledger.json"
        if not meta.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = meta.with_name(f".ledger.json.{os.getpid()}.tmp")
            body = canonical({"created_at": now_iso(), "format": FORMAT, "ledger_id": str(uuid.uuid4())})
            append_lines(tmp, body + b"\n")
            try:
                os.link(tmp, meta)
            except FileExistsError:
                pass
            tmp.unlink()
            fsync_folder(self.root)
        return self.ledger_id

    @contextmanager
    def lock(self, exclusive: bool):
        """Appenders exclusively, verifiers shared (a verifier never reads a half-written append)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield self
        finally:
            os.close(fd)

    def published(self, fund: str) -> int:
        try:
            return int(self.published_path(fund).read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def set_published(self, fund: str, count: int) -> None:
        path = self.published_path(fund)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(str(count))
        os.replace(tmp, path)

    def repairs(self, fund: str) -> list[dict]:
        try:
            lines = self.repairs_path(fund).read_bytes().split(b"\n")[:-1]  # a torn last line is no record
        except FileNotFoundError:
            return []
        return [orjson.loads(line) for line in lines]

    def log_repair(self, fund: str, file: Path, offset: int, removed: bytes) -> dict:
        """Keep what a repair removed (never silently dropped): file, offset and the bytes themselves."""
        entry = {"file": file.name, "offset": offset, "removed_bytes": len(removed), "removed_hex": removed.hex(),
                 "repaired_at": now_iso()}
        append_lines(self.repairs_path(fund), canonical(entry) + b"\n")
        return entry
