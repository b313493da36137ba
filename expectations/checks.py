"""Great Expectations checkpoints on a warehouse file (the build's candidate): the gate before publishing.

Suites are YAML in ``expectations/suites/`` (plus a site's own in ``$JX_HOME/expectations/suites/``): a table,
a default severity and expectations, each optionally with its own ``severity`` and a Chinese ``description``.
Severity ``error`` (GX *critical*) blocks publishing — structural checks of the platform's own output;
``warn`` (GX *warning*) is recorded and shown — checks of source-derived rows. Each table is read (only the
columns its suite needs) into a DataFrame and validated by a file-backed GX context under
``$JX_HOME/checks/gx``; its Data Docs are rebuilt every run and made to work offline (``docs_assets``). Results
go to ``$JX_HOME/checks/results.json`` and, on the candidate, into ``marts.fct_check_result``.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import yaml

from jixiao.expectations.docs_assets import localize
from jixiao.runtime.config import BUSINESS_TZ, Settings, settings

SUITES_DIR = Path(__file__).parent / "suites"
SEVERITIES = {"error": "critical", "warn": "warning"}
COLUMN_ARGUMENTS = ("column", "column_A", "column_B", "column_list")
RESULT_COLUMNS = ("run_id", "checked_at", "suite", "table_name", "expectation", "column_name", "kwargs", "severity",
                  "success", "is_blocking_failure", "element_count", "unexpected_count", "unexpected_examples",
                  "description")


@dataclass
class SuiteResult:
    suite: str
    table: str
    severity: str
    success: bool
    failures: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict]:
        return [f for f in self.failures if f["severity"] == "error"]


@dataclass
class CheckReport:
    results: list[SuiteResult]
    docs: Path | None = None

    @property
    def blocking_failures(self) -> list[SuiteResult]:
        return [r for r in self.results if r.blocking]

    def describe_blocking(self) -> str:
        """One line naming every blocking suite and the expectations that failed in it."""
        return "; ".join(f"{r.suite} ({', '.join(sorted({f['expectation'] for f in r.blocking}))})"
                         for r in self.blocking_failures)


def site_suites_dir(cfg: Settings) -> Path:
    """A site's own suites (provincial rules kept outside the repository)."""
    return cfg.home / "expectations" / "suites"


def load_suites(*directories: Path) -> dict[str, dict]:
    """Suite name → its YAML declaration (table, severity, expectations), from the given folders in order."""
    suites = {}
    for directory in directories or (SUITES_DIR,):
        suites |= {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
                   for path in sorted(Path(directory).glob("*.yaml"))}
    return suites


def _expectation(gx, declaration: dict, default_severity: str):
    """A GX expectation object from ``{type: expect_…, kwargs: {…}, severity: error|warn, description: …}``."""
    class_name = "".join(part.capitalize() for part in declaration["type"].split("_"))
    try:
        cls = getattr(gx.expectations, class_name)
    except AttributeError:
        raise ValueError(f"unknown expectation type {declaration['type']!r} (no gx.expectations.{class_name})") from None
    severity = declaration.get("severity", default_severity)
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    return cls(**declaration.get("kwargs", {}), severity=SEVERITIES[severity],
               description=declaration.get("description"), meta={"severity": severity})


def _columns(declaration: dict) -> list[str]:
    """The columns a suite's expectations read (all columns when one expectation names none)."""
    names: list[str] = []
    for item in declaration["expectations"]:
        kwargs = item.get("kwargs", {})
        found = [kwargs[a] for a in COLUMN_ARGUMENTS if a in kwargs]
        if not found:
            return []
        for value in found:
            names += value if isinstance(value, list) else [value]
    return list(dict.fromkeys(names))


def _context(folder: Path):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    shutil.rmtree(folder / "gx", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(folder))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def run_checks(cfg: Settings | None = None, suites: dict[str, dict] | None = None,
               database: Path | None = None, record: bool = False) -> CheckReport:
    """Validate each suite's table in ``database`` (default: the published warehouse).

    Writes ``checks/results.json`` and the Data Docs under JX_HOME; with ``record`` also replaces the rows of
    ``marts.fct_check_result`` in ``database`` (the candidate — never the published file analysts read)."""
    cfg = cfg or settings()
    suites = load_suites(SUITES_DIR, site_suites_dir(cfg)) if suites is None else suites
    database = database or cfg.warehouse_path
    gx, context = _context(cfg.home / "checks")
    datasource = context.data_sources.add_pandas("warehouse")
    run_id = uuid.uuid4().hex[:12]
    checked_at = datetime.now(ZoneInfo(BUSINESS_TZ))
    results = []
    with duckdb.connect(str(database), read_only=True) as con:
        for name, declaration in suites.items():
            columns = _columns(declaration)
            frame = con.execute(f"select {', '.join(columns) or '*'} from {declaration['table']}").fetch_df()
            default = declaration.get("severity", "error")
            suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=[
                _expectation(gx, item, default) for item in declaration["expectations"]]))
            batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
            definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
            outcome = definition.run(batch_parameters={"dataframe": frame})
            results.append(_suite_result(name, declaration, default, outcome, len(frame), run_id, checked_at))
    context.build_data_docs()
    site = cfg.home / "checks" / "gx" / "uncommitted" / "data_docs" / "local_site"
    localize(site, cfg.cache)
    report = CheckReport(results, site / "index.html")
    _write_json(cfg, report)
    if record:
        _record(database, report)
    return report


def _suite_result(name: str, declaration: dict, default: str, outcome, rows: int, run_id: str,
                  checked_at: datetime) -> SuiteResult:
    rows_out = []
    for r in outcome.results:
        config = r.expectation_config
        kwargs = {k: v for k, v in dict(config.kwargs).items() if k != "batch_id"}
        columns = [kwargs[a] for a in COLUMN_ARGUMENTS if a in kwargs]
        rows_out.append({
            "run_id": run_id, "checked_at": checked_at, "suite": name, "table_name": declaration["table"],
            "expectation": config.type, "column_name": ", ".join(c if isinstance(c, str) else "+".join(c) for c in columns),
            "kwargs": json.dumps(kwargs, ensure_ascii=False, default=str),
            "severity": (config.meta or {}).get("severity", default), "success": bool(r.success),
            "element_count": r.result.get("element_count", rows),
            "unexpected_count": r.result.get("unexpected_count"),
            "unexpected_examples": json.dumps([str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]],
                                              ensure_ascii=False),
            "description": config.description})
    for row in rows_out:
        row["is_blocking_failure"] = not row["success"] and row["severity"] == "error"
    failures = [{"expectation": row["expectation"], "kwargs": json.loads(row["kwargs"]), "severity": row["severity"],
                 "unexpected_count": row["unexpected_count"], "examples": json.loads(row["unexpected_examples"])}
                for row in rows_out if not row["success"]]
    return SuiteResult(name, declaration["table"], default, bool(outcome.success), failures, rows_out)


def _write_json(cfg: Settings, report: CheckReport) -> None:
    target = cfg.home / "checks" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    body = [{"suite": r.suite, "table": r.table, "severity": r.severity, "success": r.success, "failures": r.failures}
            for r in report.results]
    target.write_text(json.dumps(body, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _record(database: Path, report: CheckReport) -> None:
    """Replace the rows of ``marts.fct_check_result`` in ``database`` with this run's results."""
    rows = pd.DataFrame([row for r in report.results for row in r.results], columns=list(RESULT_COLUMNS))
    with duckdb.connect(str(database)) as con:
        con.execute("delete from marts.fct_check_result")
        con.register("check_rows", rows)
        con.execute(f"insert into marts.fct_check_result ({', '.join(RESULT_COLUMNS)}) "
                    f"select {', '.join(RESULT_COLUMNS)} from check_rows")
