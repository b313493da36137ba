"""Data integrity (数据有效性校验): Great Expectations checkpoints that gate publishing, the rules' configuration
(``rules.yaml``, applied by the dbt models under ``models/*/integrity/``), control charts, the case library,
human review (人机协同) and offline Data Docs. See ``docs/integrity.md``.

GX's SQL datasource does not work on DuckDB (GX issues #10738, #11579), so each table is read read-only from the
warehouse file into a DataFrame and validated there.
"""
