"""``jixiao score``: score an indicator table with a spec file from the command line."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from jixiao.scoring.engine import score
from jixiao.scoring.errors import ScoringError, SpecError
from jixiao.scoring.grades import grade
from jixiao.scoring.spec import Spec, load_spec

FORMATS = (".csv", ".parquet")


def _check_format(path: Path, option: str) -> None:
    if path.suffix.lower() not in FORMATS:
        raise click.BadParameter(f"{path} must end in .csv or .parquet", param_hint=option)


def read_table(path: Path, spec: Spec) -> pd.DataFrame:
    """Read CSV or Parquet; in CSV, id columns stay text (keeps leading zeros)."""
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    text_columns = {spec.columns.unit: str, spec.columns.indicator: str}
    return pd.read_csv(path, dtype=text_columns)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


@click.command("score")
@click.option("--spec", "spec_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML scoring spec (format: scoring/SPEC.md).")
@click.option("--values", "values_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Indicator values, .csv or .parquet: long (unit, period, indicator, value) or wide.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Result, .csv or .parquet: one row per unit x period x node/indicator.")
@click.option("--exclusions", "exclusions_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Optional (unit, period, indicator[, reason]) rows to take out of aggregation.")
@click.option("--winsorised", "winsorised_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Optional file for the list of winsorised points.")
@click.option("--grades/--no-grades", default=False, help="Add a grade column (优/良/中/差) to node rows (0-100 scores).")
def score_command(spec_path, values_path, out_path, exclusions_path, winsorised_path, grades):
    """Score indicator values with a spec and write scores, contributions and flags."""
    for path, option in ((values_path, "--values"), (out_path, "--out"), (exclusions_path, "--exclusions"),
                         (winsorised_path, "--winsorised")):
        if path is not None:
            _check_format(path, option)
    try:
        spec = load_spec(spec_path)
    except SpecError as exc:
        raise click.ClickException(f"{exc}\nFix {spec_path} (format: scoring/SPEC.md) and run again.") from exc
    try:
        values = read_table(values_path, spec)
        exclusions = read_table(exclusions_path, spec) if exclusions_path else None
        result = score(values, spec, exclusions)
    except ScoringError as exc:
        raise click.ClickException(f"cannot score {values_path}: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read input: {exc}\nCheck that the file is a valid CSV or Parquet table.") from exc

    table = result.to_long()
    if grades:
        is_node = (table["kind"] == "node").to_numpy()
        table["grade"] = np.where(is_node, grade(table["value"].to_numpy()), None)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_table(table, out_path)
    if winsorised_path:
        write_table(result.winsorised, winsorised_path)
    top = result.top
    click.echo(
        f"scored {len(top)} unit-periods, {int(top.notna().sum())} with a '{spec.root}' score; "
        f"{len(result.winsorised)} point(s) winsorised; wrote {out_path}"
    )
    if result.ignored_indicators:
        click.echo(f"ignored indicators not in the spec: {', '.join(result.ignored_indicators)}", err=True)


COMMANDS = [score_command]
