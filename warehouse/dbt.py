"""dbt (dbt-duckdb) run in-process against the candidate warehouse file."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable

import duckdb
import yaml

from jixiao.expectations.review import decision_log
from jixiao.expectations.rules import dbt_vars
from jixiao.runtime.config import REPO_ROOT, Settings, environment
from jixiao.runtime.files import tree_digest
from jixiao.warehouse import schedule
from jixiao.warehouse.candidate import Candidate

DBT_DIR = REPO_ROOT / "dbt_project"
PROJECT_DIR = DBT_DIR
"""The project as installed (``DBT_DIR`` may point at a copy, as some tests do)."""
DOCUMENTED_SUFFIXES = (".sql", ".py", ".yml", ".yaml", ".csv", ".md")


class BuildError(RuntimeError):
    """dbt failed; the published warehouse is untouched."""


def _node_results(on_node: Callable[[str], None]):
    """A dbt event callback passing each finished node's result line (model, seed, test …) to ``on_node``."""
    def callback(event) -> None:
        name = event.info.name
        if name.startswith("Log") and name.endswith("Result"):
            on_node(event.info.msg)
    return callback


def dbt_threads() -> int:
    """How many nodes the build target runs at once (``threads`` in ``profiles.yml``)."""
    profiles = yaml.safe_load((DBT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    return int(profiles["jixiao"]["outputs"]["build"]["threads"])


def run_dbt(args: list[str], candidate: Candidate, on_node: Callable[[str], None] | None = None) -> None:
    """Run a dbt command in-process against the candidate file; raise BuildError on any failure.

    dbt runs in the instance's home with the candidate, landing zone and review log given relative to it: the
    profile and the env vars the project reads are then the same for every instance, so a new instance starts
    from the parse of an earlier one (see :func:`_shared_parse`) instead of parsing the project again."""
    from dbt.cli.main import dbtRunner

    cfg: Settings = candidate.cfg
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    target = cfg.home / "dbt" / "target"
    runner = dbtRunner(callbacks=[_node_results(on_node)] if on_node else [])
    with _shared_parse(cfg, target), _in_home(cfg, candidate):
        result = runner.invoke([*args, "--vars", json.dumps(dbt_vars()), "--project-dir", str(DBT_DIR),
                                "--profiles-dir", str(DBT_DIR), "--target-path", str(target),
                                "--log-path", str(cfg.home / "dbt" / "logs")])
        _close_dbt_duckdb()
    if not result.success:
        failed = [f"{node.node.name}: {node.message}" for node in getattr(result.result, "results", None) or []
                  if str(node.status) in ("error", "fail")]
        raise BuildError(f"dbt {args[0]} failed" + (":\n  " + "\n  ".join(failed) if failed else "")
                         + f"\nSee {cfg.home / 'dbt' / 'logs' / 'dbt.log'} for the full log.")


@contextlib.contextmanager
def _in_home(cfg: Settings, candidate: Candidate):
    """The working directory is the instance's home while dbt runs, and the paths dbt reads are relative to it.

    The platform's own path settings are pinned to their resolved values meanwhile, so that ``settings()`` in a
    dbt Python model resolves a relative ``JX_HOME`` or ``JX_CACHE`` as the build did."""
    cfg.home.mkdir(parents=True, exist_ok=True)
    relative = {"JX_WAREHOUSE_BUILD_PATH": candidate.path, "JX_LANDING_DIR": cfg.landing_dir,
                "JX_REVIEW_LOG": decision_log(cfg)}
    pinned = {"JX_HOME": cfg.home, "JX_KAFKA_DIR": cfg.kafka_dir, "JX_CACHE": cfg.cache}
    values = {**{name: os.path.relpath(path, cfg.home) for name, path in relative.items()},
              **{name: str(path) for name, path in pinned.items()}}
    with environment(values), contextlib.chdir(cfg.home):
        yield


@contextlib.contextmanager
def _shared_parse(cfg: Settings, target: Path):
    """dbt's parse of the installed project, shared by the instances using it (``$JX_CACHE/dbt/<checkout>``).

    An instance without a parse of its own starts from the last one saved; dbt checks it (dbt version, profile,
    vars, env vars and every file's checksum) and parses again whatever differs, in full if need be. After
    each run the instance's parse is saved for the next new instance (written aside, then renamed). A cache that
    cannot be read or written only costs the parse."""
    own, shared = target / "partial_parse.msgpack", _shared_dir(cfg) / "partial_parse.msgpack"
    if DBT_DIR != PROJECT_DIR:
        yield
        return
    with contextlib.suppress(OSError):
        if not own.exists() and shared.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shared, own)
    yield
    with contextlib.suppress(OSError):
        if own.exists():
            shared.parent.mkdir(parents=True, exist_ok=True)
            aside = shared.with_name(f".{shared.name}.{os.getpid()}")
            shutil.copyfile(own, aside)
            os.replace(aside, shared)


def _shared_dir(cfg: Settings) -> Path:
    """What the instances using the installed project share (``$JX_CACHE/dbt/<checkout>``)."""
    checkout = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:16]  # the parse names the project's files
    return cfg.cache / "dbt" / checkout


def dbt_build(candidate: Candidate, select: list[str] | None = None,
              on_node: Callable[[str], None] | None = None) -> None:
    """``dbt build`` (seeds, models, data tests) into the candidate.

    dbt unit tests are left out: their inputs are fixed, so they say nothing new about the data a build reads
    (dbt's own advice is to run them in development and CI, not in production builds). The test suite runs
    them with :func:`dbt_unit_tests`.

    Ready nodes start longest remaining path first (``warehouse/schedule.py``), costed by the node times of
    this instance's earlier builds, else of the last instance's build that shares the project, else by kind."""
    stamp = _compiled_stamp(candidate)
    stamp.unlink(missing_ok=True)
    target = candidate.cfg.home / "dbt" / "target"
    costs = target / schedule.COSTS_FILE, _shared_dir(candidate.cfg) / schedule.COSTS_FILE
    with schedule.longest_path_first(schedule.load_costs(*costs), dbt_threads()), landing_read_bounds(candidate):
        run_dbt(["build", "--exclude-resource-type", "unit_test", *(["--select", *select] if select else [])],
                candidate, on_node)
    schedule.record_costs(target / "run_results.json", *costs)
    if not select:
        stamp.write_text(project_digest(), encoding="utf-8")


@contextlib.contextmanager
def landing_read_bounds(candidate: Candidate):
    """The landing zone's read bounds (:meth:`LandingZone.read_bounds`) as ``main.landing_read_bound`` in the
    candidate while dbt builds: every staging model and quarantine then reads the same rows, however the landing
    zone moves meanwhile (``macros/landing_events.sql``). Dropped afterwards, so a dbt run outside a build reads
    without bounds."""
    import pyarrow as pa

    from jixiao.ingestors.landing import LandingZone

    bounds = LandingZone(candidate.cfg).read_bounds()
    read_bounds = pa.table({"kafka_topic": [t for t, _ in bounds], "kafka_partition": [p for _, p in bounds],
                            "read_bound": list(bounds.values())},
                           schema=pa.schema([("kafka_topic", pa.string()), ("kafka_partition", pa.int32()),
                                             ("read_bound", pa.int64())]))
    with duckdb.connect(str(candidate.path)) as con:
        con.execute("drop table if exists main.landing_read_bound")
        con.from_arrow(read_bounds).create("main.landing_read_bound")
    try:
        yield bounds
    finally:
        with duckdb.connect(str(candidate.path)) as con:
            con.execute("drop table if exists main.landing_read_bound")


def _compiled_stamp(candidate: Candidate) -> Path:
    """Written after a full build: the digest of the project whose every node ``target/manifest.json`` compiled."""
    return candidate.cfg.home / "dbt" / "target" / "manifest.compiled.digest"


def dbt_unit_tests(candidate: Candidate, on_node: Callable[[str], None] | None = None) -> None:
    """``dbt test --select test_type:unit`` against a built candidate (the unit tests read its parents' columns)."""
    run_dbt(["test", "--select", "test_type:unit"], candidate, on_node)


def project_digest() -> str:
    """SHA-256 over the dbt project's files (models, macros, seeds, tests, YAML): what the docs describe."""
    return tree_digest(DBT_DIR, DOCUMENTED_SUFFIXES, skipped_names=("target", "logs", "dbt_packages"))


def dbt_docs(candidate: Candidate) -> bool:
    """``dbt docs generate --static``: lineage and column docs, ``$JX_HOME/dbt/target/static_index.html`` (offline).

    Only when the dbt project changed since the docs were last generated (the data does not change them much:
    they describe models, columns, tests and lineage); True when generated. After a full build of the same
    project, the docs take the compiled SQL from that build's manifest (``--no-compile``) instead of compiling
    every node again (2.4 of the 3.5 s at S).
    """
    target = candidate.cfg.home / "dbt" / "target"
    stamp, digest = target / "static_index.digest", project_digest()
    if (target / "static_index.html").exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return False
    compiled = _compiled_stamp(candidate)
    built = compiled.exists() and compiled.read_text(encoding="utf-8") == digest
    run_dbt(["docs", "generate", "--static", *(["--no-compile"] if built else [])], candidate)
    stamp.write_text(digest, encoding="utf-8")
    return True


def _close_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process, releasing the candidate's write lock."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
