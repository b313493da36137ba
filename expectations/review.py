"""Human review (人机协同): reviewers' decisions in an append-only log outside the rebuildable warehouse.

``$JX_HOME/review/decisions.jsonl`` holds one JSON object per decision (who, when, why); a line is
fsynced before the command returns and is never rewritten. dbt reads the log as the source
``review.decisions`` (``stg_review__decisions``): the latest decision per ``review_key`` applies on the
next build, so a rebuild from scratch — even after deleting the warehouse — keeps every decision.
The queue itself (held values, zombie flags, verification tasks) is the mart ``fct_review_queue``.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from jixiao.runtime.config import BUSINESS_TZ, Settings
from jixiao.runtime.files import append_lines

DECISIONS = ("approve", "reject")
QUEUE_COLUMNS = ("review_key", "review_kind", "kind_name", "dept_code", "dept_name", "indicator_code",
                 "indicator_name", "period", "value", "title", "evidence", "status", "decided_by", "decided_at",
                 "decision_reason", "decision_id", "effect")


class ReviewError(ValueError):
    """A decision that cannot be recorded (unknown item, bad decision, no reviewer or reason)."""


@dataclass(frozen=True)
class Decision:
    decision_id: str
    review_key: str
    decision: str
    reviewer: str
    reason: str
    decided_at: str


def decision_log(cfg: Settings) -> Path:
    """The append-only decision log of one platform instance."""
    return cfg.review_dir / "decisions.jsonl"


def read_decisions(cfg: Settings) -> list[Decision]:
    """Every recorded decision, oldest first."""
    path = decision_log(cfg)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as log:
        return [Decision(**json.loads(line)) for line in log if line.strip()]


def record(cfg: Settings, review_key: str, decision: str, reviewer: str, reason: str,
           now: datetime | None = None) -> Decision:
    """Append one decision to the log (fsynced); it applies on the next build."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not reviewer.strip() or not reason.strip():
        raise ReviewError("a decision needs a reviewer (--by) and a reason (--reason)")
    entry = Decision(decision_id=str(uuid.uuid4()), review_key=review_key, decision=decision,
                     reviewer=reviewer.strip(), reason=reason.strip(),
                     decided_at=(now or datetime.now(ZoneInfo(BUSINESS_TZ))).isoformat(timespec="seconds"))
    path = decision_log(cfg)
    append_lines(path, (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8"))
    return entry


def queue(con: duckdb.DuckDBPyConnection, status: str | None = "pending", kind: str | None = None,
          dept_code: str | None = None) -> list[dict]:
    """Items of the published review queue (``marts.fct_review_queue``), filtered."""
    where, params = [], []
    for column, value in (("status", status), ("review_kind", kind), ("dept_code", dept_code)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    sql = (f"select {', '.join(QUEUE_COLUMNS)} from marts.fct_review_queue"
           + (f" where {' and '.join(where)}" if where else "") + " order by review_kind, dept_code, review_key")
    return [dict(zip(QUEUE_COLUMNS, row)) for row in con.execute(sql, params).fetchall()]


def item(con: duckdb.DuckDBPyConnection, review_key: str) -> dict | None:
    """One queue item by its key, or None."""
    row = con.execute(f"select {', '.join(QUEUE_COLUMNS)} from marts.fct_review_queue where review_key = ?",
                      [review_key]).fetchone()
    return dict(zip(QUEUE_COLUMNS, row)) if row else None


def not_yet_applied(cfg: Settings, items: list[dict]) -> dict[str, Decision]:
    """For queue items, the latest logged decision the published build has not applied yet (review_key → it)."""
    latest = {d.review_key: d for d in read_decisions(cfg)}
    return {i["review_key"]: latest[i["review_key"]] for i in items
            if i["review_key"] in latest and latest[i["review_key"]].decision_id != i["decision_id"]}
