"""The warehouse stage: dbt builds a candidate DuckDB file from the landing zone; it is published atomically."""
from jixiao.warehouse.candidate import BuildInProgress, Candidate, build_lock, export_marts
from jixiao.warehouse.dbt import DBT_DIR, BuildError, dbt_build, dbt_docs, dbt_threads, dbt_unit_tests, run_dbt

__all__ = ["DBT_DIR", "BuildError", "BuildInProgress", "Candidate", "build_lock", "dbt_build", "dbt_docs",
           "dbt_threads", "dbt_unit_tests", "export_marts", "run_dbt"]
