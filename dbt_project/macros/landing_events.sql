{#- Landing events of one source, deduplicated on event_id (first offset wins), without the events held in
    quarantine (stg_<source>__quarantined_events: they name reference data that does not exist yet).
    Only committed files are visible under the landing zone's names (ingestors/landing.py), so a build never
    reads rows that a crash recovery deletes. While no file has landed for the source yet, reads an empty
    relation with the landing columns (DuckDB's read_parquet fails on an empty glob). In a platform build, only
    the rows up to the build's read bounds are read (within_read_bounds). In an incremental run, only the rows the
    model has not read yet (unread_landing: per Kafka partition, the offsets past the highest it holds and the
    batch that carried that one) — plus the events released from quarantine by this build (their reference data
    arrived), however old; the models' unique_key (event_id) merges what is read twice. -#}
{% macro landing_events(source_name, event_types) -%}
{%- set quarantine = ref('stg_' ~ source_name ~ '__quarantined_events') -%}
{%- set resume = is_incremental() and landing_read_position_kept(this) -%}
{%- set released = resume and run_query(
        "select count(*) from " ~ quarantine ~ " where source = '" ~ source_name ~ "' and released_at is not null"
    ).columns[0].values()[0] > 0 -%}
(
    select landed.*
    from {{ landing_relation(source_name) }} as landed
    {%- if resume %}
    left join {{ landing_read_position([this]) }} as position
      on landed.kafka_topic = position.kafka_topic and landed.kafka_partition = position.kafka_partition
    {%- endif %}
    where landed.event_type in ('{{ event_types | join("', '") }}')
      and landed.event_id not in (
          select event_id from {{ quarantine }} where source = '{{ source_name }}' and released_at is null)
      {{- within_read_bounds('landed') }}
    {%- if resume %}
      and ({{ unread_landing('landed', 'position') }}
           {%- if released %}
            or landed.event_id in (select event_id from {{ quarantine }}
                                  where source = '{{ source_name }}' and released_at is not null)
           {%- endif %})
    {%- endif %}
    qualify row_number() over (partition by landed.event_id order by landed.kafka_offset) = 1
)
{%- endmacro %}

{#- How far incremental models have read their source's landing zone, per Kafka partition: the highest offset
    they hold, and the landing time (ingested_at, one per committed batch) of the batch that carried it. -#}
{% macro landing_read_position(relations) -%}
(
    select kafka_topic, kafka_partition, max(kafka_offset) as read_to,
           arg_max(ingested_at, kafka_offset) as read_to_ingested_at
    from (
        {%- for relation in relations %}
        select kafka_topic, kafka_partition, kafka_offset, ingested_at from {{ relation }}
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %})
    group by kafka_topic, kafka_partition
)
{%- endmacro %}

{#- Rows up to the read bounds of a platform build (main.landing_read_bound, which warehouse/dbt.py writes into the
    candidate for the dbt build and drops after it: per partition, the offset up to which every committed batch was
    visible when the build started), so that a source's quarantine and staging models read the same rows however
    the landing zone moves meanwhile; a partition committed for the first time after that is not bounded. A dbt
    run outside a platform build reads without bounds. -#}
{% macro within_read_bounds(landed) -%}
{%- if execute and adapter.get_relation(this.database, 'main', 'landing_read_bound') %}
      and not exists (select 1 from {{ this.database }}.main.landing_read_bound as bound
                      where bound.kafka_topic = {{ landed }}.kafka_topic
                        and bound.kafka_partition = {{ landed }}.kafka_partition
                        and {{ landed }}.kafka_offset > bound.read_bound)
{%- endif %}
{%- endmacro %}

{#- Whether an incremental model keeps its read position (the Kafka columns): a table built before it had them is
    read whole once, and on_schema_change adds the columns (dbt_project.yml). -#}
{% macro landing_read_position_kept(relation) -%}
{{ return(execute and 'kafka_offset' in (adapter.get_columns_in_relation(relation) | map(attribute='name') | list)) }}
{%- endmacro %}

{#- Whether a landed row is past a read position: an offset past the highest read in its partition, or a row of
    the batch that carried it. Exact whatever the time between landing and reading, because a partition's batches
    become visible in offset order (ingestors/landing.py: one commit at a time under the partition's lock, and a
    crashed commit is rolled forward before the next one): a later batch has higher offsets than anything read,
    and the only batch that can have been read in part (its files renamed one by one, or a crash between the
    renames) is the newest one read, whose rows all carry its ingested_at. -#}
{% macro unread_landing(landed, position) -%}
({{ position }}.read_to is null or {{ landed }}.kafka_offset > {{ position }}.read_to
 or {{ landed }}.ingested_at = {{ position }}.read_to_ingested_at)
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
