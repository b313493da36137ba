{#- Landing events of one source, deduplicated on event_id (first offset wins), without the events held in
    quarantine (stg_<source>__quarantined_events: they name reference data that does not exist yet).
    Only committed files are visible under the landing zone's names (ingestors/landing.py), so a build never
    reads rows that a crash recovery deletes. While no file has landed for the source yet, reads an empty
    relation with the landing columns (DuckDB's read_parquet fails on an empty glob). In an incremental run,
    only rows ingested after the newest row already in the model, less a look-back (var
    incremental_lookback_hours), are read — plus the events released from quarantine by this build (their
    reference data arrived), however old: a batch committed while the previous build was reading may carry
    an earlier ingested_at, and the look-back picks it up; the models' unique_key (event_id) merges what is
    read twice. -#}
{% macro landing_events(source_name, event_types) -%}
{%- set quarantine = ref('stg_' ~ source_name ~ '__quarantined_events') -%}
{%- set released = is_incremental() and execute and run_query(
        "select count(*) from " ~ quarantine ~ " where source = '" ~ source_name ~ "' and released_at is not null"
    ).columns[0].values()[0] > 0 -%}
(
    select *
    from {{ landing_relation(source_name) }}
    where event_type in ('{{ event_types | join("', '") }}')
      and event_id not in (
          select event_id from {{ quarantine }} where source = '{{ source_name }}' and released_at is null)
    {%- if is_incremental() %}
      and (ingested_at > (select coalesce(max(ingested_at), 'epoch'::timestamptz) from {{ this }})
                         - interval ({{ var('incremental_lookback_hours') }}) hour
           {%- if released %}
            or event_id in (select event_id from {{ quarantine }}
                           where source = '{{ source_name }}' and released_at is not null)
           {%- endif %})
    {%- endif %}
    qualify row_number() over (partition by event_id order by kafka_offset) = 1
)
{%- endmacro %}

{#- The landing source of one source system, or an empty relation with its columns while nothing has landed. -#}
{% macro landing_relation(source_name) -%}
{%- set relation = source('landing', source_name) -%}
{%- set pattern = env_var('JX_LANDING_DIR', '../var/landing') ~ '/source=' ~ source_name ~ '/dt=*/*.parquet' -%}
{%- set has_files = execute and (run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] > 0) -%}
{% if has_files %}{{ relation }}{% else %}{{ empty_landing_relation() }}{% endif %}
{%- endmacro %}

{#- A relation with the landing zone's columns and no rows. -#}
{% macro empty_landing_relation() -%}
(
    select
        null::varchar as event_id, null::varchar as event_type, null::timestamptz as occurred_at,
        null::varchar as dept_code, null::smallint as schema_version, null::varchar as payload,
        null::varchar[] as person_keys, null::varchar as kafka_topic, null::integer as kafka_partition,
        null::bigint as kafka_offset, null::timestamptz as kafka_timestamp, null::timestamptz as ingested_at,
        null::bigint as content_hash, null::varchar as source, null::date as dt
    where false
)
{%- endmacro %}

{#- Business time: an instant as Asia/Shanghai wall-clock time. -#}
{% macro to_business_time(column) -%}
timezone('Asia/Shanghai', {{ column }})
{%- endmacro %}
