-- hotline_12345's landed events held in quarantine (macros/quarantined_events.sql). 隔离区（本来源）。
{{ config(materialized='table') }}
{{ quarantined_events('hotline_12345') }}
