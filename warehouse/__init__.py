"""The warehouse stage: dbt builds a candidate DuckDB file from the landing zone, which is published atomically."""
from jixiao.warehouse.build import BuildError, BuildResult, build, export_marts, run_dbt

__all__ = ["BuildError", "BuildResult", "build", "export_marts", "run_dbt"]
