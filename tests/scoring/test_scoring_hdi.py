"""Reproduce the UNDP Human Development Index from published inputs via the example spec."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from jixiao.scoring import score
from jixiao.cli.score import score_command

DATA = Path(__file__).parent / "data"
SPEC = Path(__file__).parents[2] / "scoring" / "examples" / "hdi.yaml"


def published(name):
    return pd.read_csv(DATA / name, comment="#")


def as_long(frame, unit):
    long = frame.melt(id_vars=[unit, "year"], value_vars=["le", "eys", "mys", "gnipc"], var_name="indicator")
    return long.rename(columns={unit: "iso3"})


def test_hdr_2023_24_unrounded_inputs_give_the_published_hdi_exactly():
    table = published("hdr2023_24_hdi_2022.csv")
    hdi = score(as_long(table, "iso3"), SPEC).top.droplevel("year")
    expected = table.set_index("iso3")["hdi_published"]
    np.testing.assert_array_equal(hdi.loc[expected.index].round(3).to_numpy(), expected.to_numpy())
    assert (hdi.loc[expected.index] - expected).abs().max() <= 0.0005


def test_hdr_2015_printed_inputs_give_the_published_hdi_within_rounding():
    table = published("hdr2015_table1_hdi_2014.csv")
    result = score(as_long(table, "country"), SPEC)
    hdi = result.top.droplevel("year").loc[table["country"]]
    assert np.abs(hdi.to_numpy() - table["hdi_published"].to_numpy()).max() <= 0.001
    capped = result.normalised.droplevel("year")
    assert capped.loc["Australia", "eys"] == 1.0  # 20.2 years, capped at 18
    assert capped.loc["Liechtenstein", "gnipc"] == 1.0  # 79,851 $, capped at 75,000


def test_hdi_dimension_indices_by_hand():
    table = published("hdr2023_24_hdi_2022.csv").query("iso3 == 'AUS'")
    scores = score(as_long(table, "iso3"), SPEC).scores.iloc[0]
    assert scores["health"] == pytest.approx((83.579 - 20) / 65)
    assert scores["education"] == pytest.approx((1 + 12.72681999 / 15) / 2)
    assert scores["income"] == pytest.approx(np.log(49257.1352 / 100) / np.log(750))


def test_hdi_through_the_command_line(tmp_path):
    table = published("hdr2023_24_hdi_2022.csv")
    as_long(table, "iso3").to_csv(tmp_path / "hdi_inputs.csv", index=False)
    outcome = CliRunner().invoke(
        score_command, ["--spec", str(SPEC), "--values", str(tmp_path / "hdi_inputs.csv"), "--out", str(tmp_path / "hdi.csv")]
    )
    assert outcome.exit_code == 0, outcome.output
    out = pd.read_csv(tmp_path / "hdi.csv").query("item == 'hdi'").set_index("iso3")["value"]
    expected = table.set_index("iso3")["hdi_published"]
    np.testing.assert_array_equal(out.loc[expected.index].round(3).to_numpy(), expected.to_numpy())
