"""Canonical JSON is RFC 8785 for the ledger's values, so anyone can recompute a hash; amounts are exact."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jixiao.ledger.canonical import canonical, decimal_amount


def test_keys_sorted_no_whitespace_utf8_and_the_rfc_8785_escapes():
    value = {"payee": "温州新鑫水利水电有限公司", "amount": "12.50", "note": 'a "b"\\\n\t\x01', "seq": 7, "ok": True,
             "none": None, "list": [2, "一"]}
    assert canonical(value) == ('{"amount":"12.50","list":[2,"一"],"none":null,"note":"a \\"b\\"\\\\\\n\\t\\u0001",'
                                '"ok":true,"payee":"温州新鑫水利水电有限公司","seq":7}').encode("utf-8")
    assert json.loads(canonical(value)) == value


def test_floats_are_refused_so_no_number_formatting_question_arises():
    with pytest.raises(TypeError, match="decimal strings"):
        canonical({"amount": 1.5})


@pytest.mark.parametrize("given, expected", [(Decimal("100"), "100.00"), (100, "100.00"), (Decimal("12345.6"), "12345.60"),
                                             (Decimal("0.5"), "0.50"), (Decimal("1.005"), "1.005"),
                                             (Decimal("1E+3"), "1000.00"), (Decimal("155736.08"), "155736.08")])
def test_amounts_are_exact_decimal_strings_with_at_least_two_decimals(given, expected):
    assert decimal_amount(given) == expected
