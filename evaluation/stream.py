"""The stream's planted faults: every malformed record dead-lettered for its reason, every re-send landed once."""
from __future__ import annotations

import hashlib

from jixiao.evaluation.core import Context, Section


def evaluate(context: Context) -> Section:
    section = Section("stream faults (ingest)")
    truth, con, cfg = context.truth, context.con, context.cfg
    landing = str(cfg.landing_dir / "source=*" / "dt=*" / "*.parquet")
    dead_files = str(cfg.dead_letter_dir / "*" / "*.parquet")
    has_landing = any(cfg.landing_dir.glob("source=*/dt=*/*.parquet"))
    has_dead = any(cfg.dead_letter_dir.glob("*/*.parquet"))

    malformed = truth.get("malformed", [])
    if malformed:
        reasons = {}
        if has_dead:
            dead = con.execute(f"select raw_value, reason from read_parquet('{dead_files}')").fetchall()
            reasons = {hashlib.sha256(raw).hexdigest(): reason for raw, reason in dead}
        found = sum(m["sha256"] in reasons for m in malformed)
        right = sum(reasons.get(m["sha256"]) == m["expected_reason"] for m in malformed)
        section.add("malformed records dead-lettered", found / len(malformed), ">= 1.0", f"{found} of {len(malformed)}")
        section.add("… with the expected reason", right / len(malformed), ">= 1.0", f"{right} of {len(malformed)}")

    duplicates = sorted(set(truth.get("duplicates", [])))
    if duplicates and has_landing:
        con.execute("create or replace temp table planted_duplicates (event_id varchar)")
        con.executemany("insert into planted_duplicates values (?)", [(e,) for e in duplicates])
        once, twice = con.execute(f"""
            select count(*) filter (where n = 1), count(*) filter (where n > 1)
            from (select p.event_id, count(l.event_id) as n from planted_duplicates p
                  left join read_parquet('{landing}') l using (event_id) group by p.event_id)""").fetchone()
        section.add("re-sent events landed exactly once", once / len(duplicates), ">= 1.0",
                    f"{once} of {len(duplicates)}; {twice} landed more than once")
    return section
