-- Landed events held in quarantine, every source: the union of the per-source models (stg_<source>__quarantined_events,
-- macros/quarantined_events.sql). Events naming reference data the seeds do not have (yet) stay in the landing zone,
-- are kept out of every staging model and are released on the first build whose seeds know their codes.
-- 隔离区：引用了参考数据中不存在的部门或指标编码的落地事件；参考数据补齐后的下一次构建自动放行。
{{ config(materialized='table') }}
{%- for source_name in var('landing_sources') %}
select * from {{ ref('stg_' ~ source_name ~ '__quarantined_events') }}
{% if not loop.last %}union all by name{% endif %}
{%- endfor %}
