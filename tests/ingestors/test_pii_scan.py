"""No planted name, phone, ID or bank number survives in any string column of the landing zone."""
from __future__ import annotations

import random

import duckdb
import orjson
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from ingest_helpers import HOTLINE, hotline_event, produce
from jixiao.ingestors.consumer import Ingestor
from jixiao.ingestors.masking import _ID_CHECK, _ID_WEIGHTS

pytestmark = pytest.mark.kafka


def _id_number(rng: random.Random) -> str:
    body = f"{rng.choice(['440305', '110101', '330106'])}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}" \
           f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


def _bank_card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    for check in "0123456789":
        digits = body + check
        total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
                    for i, d in enumerate(int(c) for c in reversed(digits)))
        if total % 10 == 0:
            return digits


def _planted(rng: random.Random) -> tuple[str, list[str]]:
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
    landline = f"0755-{rng.randint(2_000_000, 89_999_999)}"
    id_number, card = _id_number(rng), _bank_card(rng)
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    text = rng.choice([
        f"市民张先生来电（手机{mobile}），身份证{id_number}，反映物业乱收费。",
        f"退款请打到银行卡{card}，联系电话{landline}，邮箱zhang.wei{rng.randint(1, 99)}@example.com",
        f"信访人王某，身份证号码：{id_number.lower()}，电话 {spaced}，+86 {mobile}再次来访",
    ])
    return text, [mobile, id_number, card, landline, mobile[3:], spaced, "张先生", "王某"]


def test_no_planted_identifier_survives_in_any_landed_string_column(fresh_topics):
    cfg = fresh_topics
    rng = random.Random(12345)
    planted: set[str] = set()
    events = []
    for i in range(3_000):
        text, identifiers = _planted(rng)
        planted.update(identifiers)
        events.append(hotline_event(i, text=text))
    produce(cfg, [(e["dept_code"].encode(), orjson.dumps(e)) for e in events])
    stats = Ingestor([HOTLINE], "pii", cfg).run(progress=False)
    assert stats.landed == len(events)

    table = ds.dataset(str(cfg.landing_dir), format="parquet", partitioning="hive").to_table()
    strings = [name for name, type_ in zip(table.schema.names, table.schema.types)
               if pa.types.is_string(type_) or pa.types.is_list(type_)]
    texts = pa.table({"text": [text for name in strings for value in table.column(name).to_pylist()
                               for text in (value if isinstance(value, list) else [value]) if text]})
    identifiers = pa.table({"identifier": sorted(p.lower() for p in planted)})
    con = duckdb.connect()
    con.register("texts", texts)
    con.register("identifiers", identifiers)
    leaks = con.sql("select distinct identifier from identifiers join texts "
                    "on contains(lower(texts.text), identifiers.identifier)").fetchall()
    assert not leaks, f"{len(leaks)} identifiers leaked, e.g. {leaks[:3]}"
    payloads = [orjson.loads(p)["text"] for p in table.column("payload").to_pylist()]
    assert all("[手机号]" in t or "[银行卡号]" in t for t in payloads)
    assert any("[身份证号]" in t for t in payloads) and any("市民[姓名]来电" in t for t in payloads)
    assert any("信访人[姓名]，身份证号码" in t for t in payloads)
    assert all(keys for keys in table.column("person_keys").to_pylist()), "a salted key per identified person"
