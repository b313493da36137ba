"""The score command: round trips and error messages."""

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from jixiao.cli.score import score_command


@pytest.fixture
def files(tmp_path, spec_dict):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(spec_dict))
    values = pd.DataFrame({
        "unit": ["007", "007", "007", "010", "010", "010"],
        "period": ["2024-01"] * 6,
        "indicator": ["a", "b", "c"] * 2,
        "value": [90, 4, 40, None, 10, 60],
    })
    return tmp_path, spec, values


def run(*args):
    return CliRunner().invoke(score_command, [str(a) for a in args])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip(files, suffix):
    tmp, spec, values = files
    source = tmp / f"values{suffix}"
    values.to_csv(source, index=False) if suffix == ".csv" else values.to_parquet(source)
    out = tmp / f"out{suffix}"
    outcome = run("--spec", spec, "--values", source, "--out", out, "--grades")
    assert outcome.exit_code == 0, outcome.output
    assert "scored 2 unit-periods" in outcome.output
    result = pd.read_csv(out, dtype={"unit": str}) if suffix == ".csv" else pd.read_parquet(out)
    root = result[result["item"] == "root"].set_index("unit")
    assert root.loc["007", "value"] == pytest.approx(76.25)
    assert root.loc["010", "value"] == pytest.approx(25)
    assert root.loc["007", "grade"] == "中" and root.loc["010", "grade"] == "差"
    assert set(result.columns) >= {"period", "item", "kind", "parent", "contribution", "coverage", "status"}


def test_exclusions_and_winsorised_outputs(files):
    tmp, spec, values = files
    values.to_csv(tmp / "values.csv", index=False)
    pd.DataFrame({"unit": ["007"], "period": ["2024-01"], "indicator": ["b"], "reason": ["exempt"]}).to_csv(
        tmp / "exempt.csv", index=False
    )
    outcome = run("--spec", spec, "--values", tmp / "values.csv", "--out", tmp / "out.csv",
                  "--exclusions", tmp / "exempt.csv", "--winsorised", tmp / "wins.csv")
    assert outcome.exit_code == 0, outcome.output
    out = pd.read_csv(tmp / "out.csv", dtype={"unit": str}).set_index(["unit", "item"])
    assert out.loc[("007", "root"), "value"] == pytest.approx(87.5)
    assert out.loc[("007", "b"), "excluded_reason"] == "exempt"
    assert pd.read_csv(tmp / "wins.csv").empty


def test_bad_spec_says_how_to_fix(files):
    tmp, spec, values = files
    values.to_csv(tmp / "values.csv", index=False)
    spec.write_text("indicators: {a: {normalise: minimax}}\nnodes: {r: {children: {a: 0}}}\n")
    outcome = run("--spec", spec, "--values", tmp / "values.csv", "--out", tmp / "out.csv")
    assert outcome.exit_code == 1
    assert "unknown normalise method 'minimax'" in outcome.output
    assert "weight of child 'a' must be a number > 0" in outcome.output
    assert "SPEC.md" in outcome.output


def test_bad_data_and_bad_suffix(files):
    tmp, spec, values = files
    values[values.indicator != "c"].to_csv(tmp / "values.csv", index=False)
    outcome = run("--spec", spec, "--values", tmp / "values.csv", "--out", tmp / "out.csv")
    assert outcome.exit_code == 1 and "no rows in the values table" in outcome.output
    outcome = run("--spec", spec, "--values", tmp / "values.csv", "--out", tmp / "out.xlsx")
    assert outcome.exit_code == 2 and "must end in .csv or .parquet" in outcome.output
    outcome = run("--spec", spec, "--values", tmp / "missing.csv", "--out", tmp / "out.csv")
    assert outcome.exit_code == 2 and "does not exist" in outcome.output
