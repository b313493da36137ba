-- project_progress's landed events held in quarantine (macros/quarantined_events.sql). 隔离区（本来源）。
{{ config(materialized='table') }}
{{ quarantined_events('project_progress') }}
