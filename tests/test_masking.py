"""PII masking: every identifier kind is masked, Chinese text stays intact, keys are stable."""
from __future__ import annotations

import numpy as np

from jixiao.ingestors.masking import mask_text, person_key, valid_id_number, valid_luhn
from jixiao.simulator.text import id_numbers, mobiles


def test_masks_each_identifier_kind_and_keeps_the_chinese_text():
    text = ("市民张伟来电反映文三路附近夜间施工噪音扰民，联系电话13989290341，身份证号11010519491231002X，"
            "银行卡6222021234567890128，座机0571-87654321，邮箱zhang.wei@example.cn。")
    masked, keys = mask_text(text)
    for secret in ("13989290341", "11010519491231002X", "6222021234567890128", "0571-87654321", "zhang.wei"):
        assert secret not in masked
    assert masked.startswith("市民[姓名]来电反映文三路附近夜间施工噪音扰民，联系电话[手机号]，身份证号[身份证号]")
    assert "[银行卡号]" in masked and "[固定电话]" in masked and "[邮箱]" in masked
    assert len(keys) == 4  # mobile, ID, bank card, e-mail identify a person; a landline does not


def test_id_checksum_and_luhn():
    assert valid_id_number("11010519491231002X")
    assert not valid_id_number("110105194912310021")
    assert valid_luhn("6222021234567890128") and not valid_luhn("6222021234567890121")


def test_invalid_long_numbers_are_masked_anyway():
    masked, keys = mask_text("编号110105194912310021的材料")
    assert "110105194912310021" not in masked and keys == []


def test_person_key_is_stable_and_format_independent():
    assert person_key("mobile", "139-8929-0341") == person_key("mobile", "13989290341")
    assert person_key("mobile", "+86 139 8929 0341") == person_key("mobile", "13989290341")
    assert mask_text("电话13989290341")[1] == mask_text("请回电139 8929 0341")[1]


def test_simulated_identifiers_are_all_masked():
    rng = np.random.default_rng(1)
    for ident in id_numbers(rng, 200):
        assert valid_id_number(ident)
        assert ident not in mask_text(f"身份证{ident}。")[0]
    for phone in mobiles(rng, 200):
        assert phone not in mask_text(f"电话{phone}谢谢")[0]


def test_the_vectorised_prefilter_never_skips_a_text_that_masking_would_change():
    import re
    import sys

    import pyarrow as pa
    import pyarrow.compute as pc

    from jixiao.ingestors.masking import MAYBE_PII_RE2, texts_to_mask

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    digits = re.findall(r"\d", every)  # every character Python's \d matches
    assert pc.all(pc.match_substring_regex(pa.array(digits), MAYBE_PII_RE2)).as_py()
    texts = ["小区路灯不亮", "电话１３８００１３８０００", "zhang@example.com", "手机 138 0013 8000", "无"]
    chosen = texts_to_mask(texts)
    assert all(mask_text(t) == (t, []) for i, t in enumerate(texts) if i not in chosen)
    assert chosen == [1, 2, 3]


def test_person_names_after_cues_and_before_forms_of_address_are_masked():
    cases = {
        "市民张伟来电反映路灯不亮": "市民[姓名]来电反映路灯不亮",
        "市民王国飞来电": "市民[姓名]来电",
        "市民王国来电": "市民[姓名]来电",  # a two-character name that is also a word (王国)
        "信访人欧阳明月（身份证号略）反映": "信访人[姓名]（身份证号略）反映",
        "好评，我是李强，电话已留": "好评，我是[姓名]，电话已留",
        "联系人：周晓梅 电话": "联系人：[姓名] 电话",
        "王先生来电咨询": "[姓名]先生来电咨询",
        "请转告张伟明先生": "请转告[姓名]先生",
    }
    for text, expected in cases.items():
        assert mask_text(text) == (expected, []), text


def test_name_free_text_with_cues_or_surname_characters_is_left_alone():
    for text in ("我是单位的员工", "我是张家港人", "我是金华市民", "市民反映路灯不亮", "我是第一次来办事",
                 "文书记录不全", "高速路口拥堵", "信访人（身份证号略）反映", "方便快捷，一次办好"):
        assert mask_text(text) == (text, []), text


def test_the_prefilter_keeps_texts_with_name_cues():
    from jixiao.ingestors.masking import texts_to_mask

    texts = ["小区路灯不亮", "市民张伟来电", "王先生来电", "办事效率高"]
    assert texts_to_mask(texts) == [1, 2]
