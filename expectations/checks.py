"""Run every suite in ``expectations/suites`` against a warehouse file (the build's candidate) and record the results."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from jixiao.runtime.config import Settings, settings

SUITES_DIR = Path(__file__).parent / "suites"


@dataclass
class SuiteResult:
    suite: str
    table: str
    severity: str
    success: bool
    failures: list[dict] = field(default_factory=list)


@dataclass
class CheckReport:
    results: list[SuiteResult]

    @property
    def blocking_failures(self) -> list[SuiteResult]:
        return [r for r in self.results if not r.success and r.severity == "error"]

    def describe_blocking(self) -> str:
        """One line naming every blocking suite and the expectations that failed in it."""
        return "; ".join(f"{r.suite} ({', '.join(sorted({f['expectation'] for f in r.failures}))})"
                         for r in self.blocking_failures)


def load_suites(directory: Path = SUITES_DIR) -> dict[str, dict]:
    """Suite name → its YAML declaration (table, severity, expectations)."""
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.yaml"))}


def _expectation(gx, declaration: dict):
    """A GX expectation object from ``{type: expect_…, kwargs: {…}}``."""
    class_name = "".join(part.capitalize() for part in declaration["type"].split("_"))
    try:
        cls = getattr(gx.expectations, class_name)
    except AttributeError:
        raise ValueError(f"unknown expectation type {declaration['type']!r} (no gx.expectations.{class_name})") from None
    return cls(**declaration.get("kwargs", {}))


def run_checks(cfg: Settings | None = None, suites: dict[str, dict] | None = None,
               database: Path | None = None) -> CheckReport:
    """Validate each suite's table in ``database`` (default: the published warehouse), read-only;
    write ``checks/results.json`` under JX_HOME."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    cfg = cfg or settings()
    suites = load_suites() if suites is None else suites
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("warehouse")
    results = []
    with duckdb.connect(str(database or cfg.warehouse_path), read_only=True) as con:
        for name, declaration in suites.items():
            frame = con.execute(f"select * from {declaration['table']}").fetch_df()
            batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
            suite = context.suites.add(gx.ExpectationSuite(name=name))
            for item in declaration["expectations"]:
                suite.add_expectation(_expectation(gx, item))
            definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
            outcome = definition.run(batch_parameters={"dataframe": frame})
            failures = [{"expectation": r.expectation_config.type, "kwargs": dict(r.expectation_config.kwargs),
                         "unexpected_count": r.result.get("unexpected_count"),
                         "examples": [str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]]}
                        for r in outcome.results if not r.success]
            results.append(SuiteResult(name, declaration["table"], declaration.get("severity", "error"),
                                       bool(outcome.success), failures))
    target = cfg.home / "checks" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1, default=str),
                      encoding="utf-8")
    return CheckReport(results)
