"""Data checks with Great Expectations: suites declared as YAML, run on tables read from the warehouse.

GX's SQL datasource does not work on DuckDB (GX issues #10738, #11579), so each table is read
read-only from the published warehouse into a DataFrame and validated there.
"""
