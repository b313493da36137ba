"""Canonical JSON: the exact bytes that are hashed (RFC 8785 JCS for the values the ledger holds).

Objects with keys sorted, no whitespace, UTF-8 (no ``\\u`` escapes for non-ASCII), the JSON escapes of
RFC 8785 for ``"``, ``\\`` and control characters. The ledger holds only strings, integers and objects
(amounts are decimal strings), so the number rules of JCS never come into play; a float is refused.
For such values this is byte-for-byte RFC 8785 (its UTF-16 key order equals code-point order for the
ASCII keys used here).
"""
from __future__ import annotations

import json
from decimal import Decimal

CENT = Decimal("0.01")
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
"""One encoder for every call (``json.dumps`` with these options builds a new one each time)."""


def _check(value) -> None:
    if isinstance(value, float):
        raise TypeError(f"canonical JSON holds no floats (got {value!r}); write amounts as decimal strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys are strings (got {key!r})")
            if type(item) is not str:  # most values are strings, which need no look
                _check(item)
    elif isinstance(value, list):
        for item in value:
            if type(item) is not str:
                _check(item)


def canonical(value) -> bytes:
    """The canonical JSON bytes of ``value`` (dicts, lists, strings, integers, booleans, null)."""
    _check(value)
    return _ENCODER.encode(value).encode("utf-8")


def decimal_amount(value) -> str:
    """An amount as an exact decimal string with at least two decimals (元.角分): 100 → "100.00", 1.005 stays."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    cents = amount.quantize(CENT)
    return f"{cents:f}" if cents == amount else f"{amount.normalize():f}"
