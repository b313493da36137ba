"""Spec parsing and the validation messages."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from jixiao.scoring import score
from jixiao.scoring.errors import SpecError
from jixiao.scoring.spec import load_spec, parse_spec

PACKAGE = Path(__file__).parents[2] / "scoring"


def problems_of(raw):
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    return "\n".join(info.value.problems)


def test_example_hdi_spec_loads():
    spec = load_spec(PACKAGE / "examples" / "hdi.yaml")
    assert spec.root == "hdi"
    assert spec.order[-1] == "hdi" and set(spec.order) == {"hdi", "health", "education", "income"}
    assert [item for item, _ in spec.tree()] == ["hdi", "health", "le", "education", "eys", "mys", "income", "gnipc"]
    assert spec.columns.unit == "iso3" and spec.indicators["gnipc"].transforms[0].method == "log"
    assert spec.nodes["hdi"].method == "geometric" and spec.nodes["hdi"].min_coverage == 1.0


def test_defaults_apply(spec_dict):
    spec_dict["defaults"] = {"min_coverage": 0.5, "normalise": {"method": "minmax"}}
    spec_dict["indicators"]["d"] = {}
    spec_dict["nodes"]["g1"]["children"]["d"] = 1
    spec = parse_spec(spec_dict)
    assert spec.indicators["d"].normalise.method == "minmax"
    assert spec.nodes["g1"].min_coverage == 0.5


def test_unknown_method(spec_dict):
    spec_dict["indicators"]["a"]["normalise"] = {"method": "minimax"}
    spec_dict["nodes"]["g1"]["method"] = "median"
    text = problems_of(spec_dict)
    assert "unknown normalise method 'minimax'" in text and "minmax" in text
    assert "unknown aggregation method 'median'" in text


@pytest.mark.parametrize("weight", [0, -1, "heavy", True])
def test_weights_must_be_positive_numbers(spec_dict, weight):
    spec_dict["nodes"]["g1"]["children"]["b"] = weight
    assert "weight of child 'b' must be a number > 0" in problems_of(spec_dict)


def test_cycle_is_reported(spec_dict):
    spec_dict["nodes"]["g2"] = {"children": {"g3": 1}}
    spec_dict["nodes"]["g3"] = {"children": {"g2": 1}}
    assert "cycle in the hierarchy: g2 -> g3 -> g2" in problems_of(spec_dict)


def test_unknown_child_and_two_parents(spec_dict):
    spec_dict["nodes"]["g1"]["children"]["zz"] = 1
    spec_dict["nodes"]["root"]["children"]["a"] = 1
    text = problems_of(spec_dict)
    assert "child 'zz' is neither a node nor an indicator" in text
    assert "'a' is a child of both 'root' and 'g1'" in text


def test_unreachable_indicator_and_second_top(spec_dict):
    spec_dict["indicators"]["unused"] = {"normalise": {"method": "minmax"}}
    assert "indicator 'unused' is not reachable from root 'root'" in problems_of(spec_dict)
    spec_dict["indicators"].pop("unused")
    spec_dict["nodes"]["other"] = {"children": {"c": 1}}
    assert "exactly one top node" in problems_of(spec_dict)


def test_unknown_keys_and_parameters(spec_dict):
    spec_dict["nodes"]["g1"]["weigths"] = 1
    spec_dict["indicators"]["a"]["normalise"]["cap"] = 2
    text = problems_of(spec_dict)
    assert "unknown key 'weigths' in node 'g1'" in text
    assert "unknown parameter 'cap' for normalise method 'goalposts'" in text


def test_parameter_values_checked(spec_dict):
    spec_dict["indicators"]["a"]["normalise"] = {"method": "goalposts", "lower": 10, "upper": 5}
    spec_dict["indicators"]["c"]["normalise"] = {"method": "ratio_to_target", "target": 0}
    spec_dict["nodes"]["g1"]["min_coverage"] = 1.5
    spec_dict["indicators"]["b"]["transform"] = {"method": "winsorise", "max_points": 0}
    text = problems_of(spec_dict)
    assert "lower < upper" in text and "target must be a number > 0" in text
    assert "min_coverage must be a share of weight between 0 and 1" in text
    assert "max_points must be an integer >= 1" in text


def test_missing_required_parameter_and_normalise(spec_dict):
    spec_dict["indicators"]["c"]["normalise"] = {"method": "ratio_to_target"}
    spec_dict["indicators"]["a"].pop("normalise")
    text = problems_of(spec_dict)
    assert "needs parameter 'target'" in text
    assert "indicator 'a': no normalise method" in text


def test_thresholds_must_agree_with_direction(spec_dict):
    spec_dict["indicators"]["b"]["normalise"] = {"method": "thresholds", "red_flag": 2, "goal": 8}
    assert "threshold scores must rise as values get better (lower is better here)" in problems_of(spec_dict)
    spec_dict["indicators"]["b"]["normalise"] = {"method": "thresholds", "red_flag": 8, "goal": 2}
    assert parse_spec(spec_dict).indicators["b"].normalise.params["goal"] == 2


def test_bad_direction_reference_and_columns(spec_dict):
    spec_dict["indicators"]["a"]["direction"] = "up"
    spec_dict["reference"] = "year"
    spec_dict["columns"] = {"unit": "x", "period": "x"}
    text = problems_of(spec_dict)
    assert "direction must be 'higher' or 'lower'" in text
    assert "reference must be one of period, pooled" in text
    assert "columns must all differ" in text


def test_duplicate_yaml_key_and_missing_file(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("indicators:\n  a: {normalise: minmax}\n  a: {normalise: rank}\nnodes:\n  r: {children: {a: 1}}\n")
    with pytest.raises(SpecError, match="duplicate key 'a' at line 3"):
        load_spec(path)
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "nope.yaml")


def test_id_used_for_node_and_indicator(spec_dict):
    spec_dict["nodes"]["a"] = {"children": {"c": 1}}
    assert "'a' is declared both as an indicator and as a node" in problems_of(spec_dict)


def test_the_example_in_spec_md_is_valid():
    text = (PACKAGE / "SPEC.md").read_text(encoding="utf-8")
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    spec = parse_spec(example)
    assert spec.root == "index" and spec.indicators["dispute_days"].direction == "lower"
    values = pd.DataFrame(
        [(u, "2024-06", i, v) for u, row in {"A": [95, 99, 5, 0], "B": [80, 70, 40, 3]}.items()
         for i, v in zip(spec.indicators, row)],
        columns=["unit", "period", "indicator", "value"],
    )
    top = score(values, spec).top
    assert top[("A", "2024-06")] > top[("B", "2024-06")]


def test_cap_is_checked(spec_dict):
    spec_dict["nodes"]["g1"]["cap"] = {"children": ["b"], "max_share": 0.25}
    assert parse_spec(spec_dict).nodes["g1"].cap == ("b",)
    spec_dict["nodes"]["g1"]["cap"] = {"children": ["c"], "max_share": 1.5}
    text = problems_of(spec_dict)
    assert "cap.children names 'c', which is not a child of the node" in text
    assert "cap.max_share must be a share strictly between 0 and 1" in text
    spec_dict["nodes"]["g1"]["cap"] = {"children": ["b"]}
    assert "cap must be a mapping with exactly 'children'" in problems_of(spec_dict)
