"""PII masking of Chinese free text: person names, mobiles, landlines, ID numbers (checksum-aware), bank cards,
e-mail.

Each identifier found is replaced by a label and returned as a salted hash (``person_keys``), so
analysts can join on a person (repeat petitioners) without ever seeing the number. Person names are
replaced by ``[姓名]`` (a name is no identifier: no key).

Names are found by rules, not by a tagger (jieba's ``posseg`` costs milliseconds per text): a context cue
(市民, 信访人, 我是, 联系人 …) followed by a surname from the standard surname list and one or two given-name
characters, or a surname (and given name) before a form of address (先生, 女士 …). Where the name ends is
decided by what follows it (来电, 反映, punctuation …); a candidate that is an ordinary word of jieba's
dictionary (单位, 张家港 …) is not a name. ``benchmarks/masking/bench_names.py`` measures recall on the
simulator's planted names and the false-positive rate on name-free text.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path

LABELS = {"id": "[身份证号]", "bank": "[银行卡号]", "mobile": "[手机号]", "landline": "[固定电话]",
          "email": "[邮箱]", "digits": "[号码]", "name": "[姓名]"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PATTERN = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})"
    r"|(?<![0-9A-Za-z])(?P<long>\d{17}[\dXx]|\d{15,19})(?![0-9A-Za-z])"
    r"|(?<!\d)(?P<mobile>(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2})(?!\d)"
    r"|(?<!\d)(?P<landline>0\d{2,3}[- ]?\d{7,8})(?!\d)"
)
_QUICK = re.compile(r"(?:\d[- ]?){7}|@")


def _salt() -> bytes:
    return os.environ.get("JX_PII_SALT", "jixiao-dev-salt-change-me").encode()


def valid_id_number(s: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    if len(s) != 18 or not s[:17].isdigit():
        return False
    return _ID_CHECK[sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS)) % 11] == s[17].upper()


def valid_luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def person_key(kind: str, value: str) -> str:
    """Salted hash of a normalised identifier (same person → same key; irreversible without the salt)."""
    normal = re.sub(r"[\s+-]", "", value).upper()
    if kind == "mobile" and normal.startswith("86") and len(normal) == 13:
        normal = normal[2:]
    return hashlib.blake2b(normal.encode(), key=_salt(), digest_size=10).hexdigest()


def _kind(match: re.Match) -> str:
    if match.group("email"):
        return "email"
    if match.group("mobile"):
        return "mobile"
    if match.group("landline"):
        return "landline"
    digits = match.group("long")
    if valid_id_number(digits):
        return "id"
    if 16 <= len(digits) <= 19 and valid_luhn(digits):
        return "bank"
    return "digits"  # an unknown long number: masked all the same, never shown


# -- person names ----------------------------------------------------------------------------------
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝向荆郁仝")
"""Common Chinese single-character surnames (the census's most frequent ones, which cover the vast majority of people)."""
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
                     "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "澹台", "公冶", "申屠", "太史")
NAME_CUES = ("市民", "居民", "村民", "群众", "信访人", "上访人", "来访人", "来电人", "投诉人", "举报人", "反映人", "申请人",
             "当事人", "联系人", "经办人", "承办人", "办理人", "负责人", "工作人员", "患者", "病人", "家属", "业主", "租户",
             "户主", "家长", "网友", "员工", "职工", "我是", "我叫", "本人", "名叫", "姓名", "签名", "署名")
"""Words after which a person's name usually follows in tickets, petitions, reviews and posts."""
ADDRESS_FORMS = ("先生", "女士", "小姐", "同志", "师傅", "阿姨", "大爷", "老师")
"""Forms of address after a surname (or full name): 王先生, 张伟同志."""
_CLEARLY_AFTER_NAME = ("来电", "来访", "来信", "反映", "投诉", "举报", "致电", "电话", "手机", "联系", "身份证", "表示",
                       "称", "说") + ADDRESS_FORMS
"""Words that follow a person, not a thing: even a name that is also a word (王国, 高峰) is masked before them."""
_AFTER_NAME = _CLEARLY_AFTER_NAME + ("的", "在", "于", "向", "对", "和", "与", "及", "等", "要求", "希望", "请求", "家",
                                     "因", "多次", "本人", "已", "曾", "现", "住", "到", "从", "是", "也", "又", "被",
                                     "将", "把", "给")
"""What commonly follows a name; decides whether a given name has one or two characters."""
_SURNAME_CLASS = "".join(sorted(SURNAMES))
_CUE_THEN_SURNAME = re.compile(f"(?:{'|'.join(NAME_CUES)})[:：]?(?=(?:{'|'.join(COMPOUND_SURNAMES)}|[{_SURNAME_CLASS}]))")
_ADDRESS = re.compile("|".join(ADDRESS_FORMS))
NAME_CUES_RE2 = "|".join(NAME_CUES + ADDRESS_FORMS)
"""Any cue or form of address, in RE2 syntax: a text without one has no name the rules would find."""


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Two- and three-character words of jieba's dictionary that start with a surname and are not tagged as names
    (单位, 高峰, 张家港 …): a name candidate that is such a word is not masked."""
    spec = importlib.util.find_spec("jieba")
    dictionary = Path(spec.origin).parent / "dict.txt" if spec and spec.origin else None
    if dictionary is None or not dictionary.exists():
        return frozenset()
    words = set()
    with open(dictionary, encoding="utf-8") as handle:
        for line in handle:
            word, _, tag = line.rstrip("\n").rpartition(" ")
            word = word.rpartition(" ")[0]
            if 2 <= len(word) <= 3 and word[0] in SURNAMES and not tag.startswith("nr"):
                words.add(word)
    return frozenset(words)


_PLACE_SUFFIXES = tuple("省市县区镇乡村路街港湾人")
"""After a candidate, these make it a place (张家港人, 金华市), not a name."""
_COMPOUND = frozenset(COMPOUND_SURNAMES)
_AFTER_FIRST = frozenset(word[0] for word in _AFTER_NAME)
_CLEARLY_AFTER_FIRST = frozenset(word[0] for word in _CLEARLY_AFTER_NAME)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _surname_length(text: str, at: int) -> int:
    if text[at:at + 2] in _COMPOUND:
        return 2
    return 1 if at < len(text) and text[at] in SURNAMES else 0


def _followed_by_end(text: str, at: int) -> bool:
    return (at >= len(text) or not _is_cjk(text[at])
            or (text[at] in _AFTER_FIRST and text.startswith(_AFTER_NAME, at)))


def _clearly_followed_by_end(text: str, at: int) -> bool:
    """Followed by punctuation or a word that only follows a person (来电, 反映 …), not by 的/在/是 …"""
    return (at >= len(text) or not _is_cjk(text[at])
            or (text[at] in _CLEARLY_AFTER_FIRST and text.startswith(_CLEARLY_AFTER_NAME, at)))


def _name_after_cue(text: str, at: int) -> int:
    """Length of the name starting at ``at`` (after a cue), 0 when there is none."""
    surname = _surname_length(text, at)
    given = at + surname
    if not surname or given >= len(text) or not _is_cjk(text[given]):
        return 0
    lengths = (surname + 2, surname + 1) if given + 1 < len(text) and _is_cjk(text[given + 1]) else (surname + 1,)
    length = next((n for n in lengths if _followed_by_end(text, at + n)), lengths[0])
    if text.startswith(_PLACE_SUFFIXES, at + length):
        return 0  # a place: 我是张家港人
    if text[at:at + length] in _common_words() and not _clearly_followed_by_end(text, at + length):
        return 0  # an ordinary word: 我是单位的员工
    return length


def _name_before_address(text: str, at: int) -> int:
    """Start of the surname (and given name) before a form of address at ``at``; -1 when there is none."""
    words = _common_words()
    for back in (3, 2, 1):
        start = at - back
        if start < 0 or not all(_is_cjk(char) for char in text[start:at]):
            continue
        surname = _surname_length(text, start)
        if surname and surname <= back and text[start:at] not in words:
            return start
    return -1


def mask_names(text: str) -> str:
    """``text`` with the person names the rules find replaced by ``[姓名]``."""
    spans: list[tuple[int, int]] = []
    for match in _CUE_THEN_SURNAME.finditer(text):
        length = _name_after_cue(text, match.end())
        if length:
            spans.append((match.end(), match.end() + length))
    for match in _ADDRESS.finditer(text):
        start = _name_before_address(text, match.start())
        if start >= 0:
            spans.append((start, match.start()))
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last:
            out += [text[last:start], LABELS["name"]]
            last = end
        elif end > last:
            last = end  # overlapping spans: one label
    out.append(text[last:])
    return "".join(out)


def mask_text(text: str) -> tuple[str, list[str]]:
    """Masked text and the salted keys of the identifiers it held (in order of appearance)."""
    keys: list[str] = []
    if _QUICK.search(text):
        def replace(match: re.Match) -> str:
            kind = _kind(match)
            if kind in ("id", "mobile", "bank", "email"):
                keys.append(person_key(kind, match.group(0)))
            return LABELS[kind]

        text = _PATTERN.sub(replace, text)
    return mask_names(text), keys


MAYBE_PII_RE2 = rf"[@\p{{Nd}}]|{NAME_CUES_RE2}"
r"""An '@', a Unicode decimal digit, a name cue or a form of address, in RE2 syntax: a superset of what
``mask_text`` needs to find anything (Python's ``\d`` is exactly Unicode Nd; a test checks that Arrow's RE2
knows every digit this Python does)."""


def texts_to_mask(texts: list[str]) -> list[int]:
    """Indexes of the texts :func:`mask_text` could change (a digit, an '@', a name cue or a form of address),
    found vectorised by Arrow; every other text comes out of mask_text unchanged and without keys, so it is
    skipped."""
    if not texts:
        return []
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.indices_nonzero(pc.match_substring_regex(pa.array(texts, pa.string()), MAYBE_PII_RE2)).to_pylist()
