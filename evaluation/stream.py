"""The stream's planted faults: every malformed record dead-lettered for its reason, every re-send landed once."""
from __future__ import annotations

import hashlib

from jixiao.evaluation.core import Context, Section
from jixiao.ingestors.landing import LandingZone


def evaluate(context: Context) -> Section:
    section = Section("stream faults (ingest)")
    truth, con, cfg = context.truth, context.con, context.cfg
    zone = LandingZone(cfg)
    landing = [str(p) for p in zone.data_files()]
    dead_files = [str(p) for p in zone.dead_letter_files()]

    malformed = truth.get("malformed", [])
    if malformed:
        reasons = {}
        if dead_files:
            dead = con.execute("select raw_value, reason from read_parquet(?)", [dead_files]).fetchall()
            reasons = {hashlib.sha256(raw).hexdigest(): reason for raw, reason in dead}
        found = sum(m["sha256"] in reasons for m in malformed)
        right = sum(reasons.get(m["sha256"]) == m["expected_reason"] for m in malformed)
        section.add("malformed records dead-lettered", found / len(malformed), ">= 1.0", f"{found} of {len(malformed)}")
        section.add("… with the expected reason", right / len(malformed), ">= 1.0", f"{right} of {len(malformed)}")

    duplicates = sorted(set(truth.get("duplicates", [])))
    if duplicates and landing:
        once, twice = con.execute("""
            select count(*) filter (where n = 1), count(*) filter (where n > 1)
            from (select p.event_id, count(l.event_id) as n
                  from (select unnest($ids) as event_id) p
                  left join (select event_id from read_parquet($files)) l using (event_id) group by p.event_id)""",
            {"ids": duplicates, "files": landing}).fetchone()
        section.add("re-sent events landed exactly once", once / len(duplicates), ">= 1.0",
                    f"{once} of {len(duplicates)}; {twice} landed more than once")
    return section
