"""PII masking of Chinese free text: mobiles, landlines, ID numbers (checksum-aware), bank cards, e-mail.

Each identifier found is replaced by a label and returned as a salted hash (``person_keys``), so
analysts can join on a person (repeat petitioners) without ever seeing the number.
"""
from __future__ import annotations

import hashlib
import os
import re

LABELS = {"id": "[身份证号]", "bank": "[银行卡号]", "mobile": "[手机号]", "landline": "[固定电话]",
          "email": "[邮箱]", "digits": "[号码]"}
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


def mask_text(text: str) -> tuple[str, list[str]]:
    """Masked text and the salted keys of the identifiers it held (in order of appearance)."""
    if not _QUICK.search(text):
        return text, []
    keys: list[str] = []

    def replace(match: re.Match) -> str:
        kind = _kind(match)
        if kind in ("id", "mobile", "bank", "email"):
            keys.append(person_key(kind, match.group(0)))
        return LABELS[kind]

    return _PATTERN.sub(replace, text), keys


MAYBE_PII_RE2 = r"[@\p{Nd}]"
r"""An '@' or a Unicode decimal digit, in RE2 syntax: a superset of what ``_QUICK`` needs to match (Python's
``\d`` is exactly Unicode Nd; a test checks that Arrow's RE2 knows every digit this Python does)."""


def texts_to_mask(texts: list[str]) -> list[int]:
    """Indexes of the texts :func:`mask_text` could change (they hold a digit or an '@'), found vectorised by
    Arrow; every other text comes out of mask_text unchanged and without keys, so it is skipped."""
    if not texts:
        return []
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.indices_nonzero(pc.match_substring_regex(pa.array(texts, pa.string()), MAYBE_PII_RE2)).to_pylist()
