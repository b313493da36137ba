{#- Landing events of one source, deduplicated on event_id (first offset wins).
    While no file has landed for the source yet, reads an empty relation with the landing columns
    (DuckDB's read_parquet fails on an empty glob). In an incremental run, only rows ingested after
    the newest row already in the model, less a look-back (var incremental_lookback_hours), are read:
    a batch committed while the previous build was reading may carry an earlier ingested_at, and the
    look-back picks it up; the models' unique_key (event_id) merges what is read twice. -#}
{% macro landing_events(source_name, event_types) -%}
{%- set relation = source('landing', source_name) -%}
{%- set pattern = env_var('JX_LANDING_DIR', '../var/landing') ~ '/source=' ~ source_name ~ '/dt=*/*.parquet' -%}
{%- set has_files = execute and (run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] > 0) -%}
(
    select *
    from {% if has_files %}{{ relation }}{% else %}{{ empty_landing_relation() }}{% endif %}
    where event_type in ('{{ event_types | join("', '") }}')
    {%- if is_incremental() %}
      and ingested_at > (select coalesce(max(ingested_at), 'epoch'::timestamptz) from {{ this }})
                        - interval ({{ var('incremental_lookback_hours') }}) hour
    {%- endif %}
    qualify row_number() over (partition by event_id order by kafka_offset) = 1
)
{%- endmacro %}

{#- A relation with the landing zone's columns and no rows. -#}
{% macro empty_landing_relation() -%}
(
    select
        null::varchar as event_id, null::varchar as event_type, null::timestamptz as occurred_at,
        null::varchar as dept_code, null::smallint as schema_version, null::varchar as payload,
        null::varchar[] as person_keys, null::varchar as kafka_topic, null::integer as kafka_partition,
        null::bigint as kafka_offset, null::timestamptz as kafka_timestamp, null::timestamptz as ingested_at,
        null::varchar as source, null::date as dt
    where false
)
{%- endmacro %}

{#- Business time: an instant as Asia/Shanghai wall-clock time. -#}
{% macro to_business_time(column) -%}
timezone('Asia/Shanghai', {{ column }})
{%- endmacro %}
