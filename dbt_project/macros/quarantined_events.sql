{#- The events of one source held in quarantine (the model stg_<source>__quarantined_events): landed events that
    name reference data the seeds do not have (yet) — an unknown department (envelope dept_code or a payload field
    such as co_depts) or an unknown indicator code. They stay in the landing zone (nothing is lost), are kept out of
    the source's staging models (so no mart joins them) and are released on the first build whose seeds know their
    codes: that build marks them released_at, and the incremental staging models pick them up. One model per
    source, so a source's staging depends on its own landing files only (a build selecting the sources that
    changed rebuilds only their chains).
    After a first build, only the events the source's staging models have not read yet and the events held so far
    are checked again (quarantine_scan): a landing zone growing by the day is not read whole on every build. Codes
    are taken as only ever added to the seeds, as the incremental staging models take them; a seed that drops a
    code needs `dbt build --full-refresh`, which checks every event. -#}
{% macro quarantined_events(source_name) -%}
{%- set references = var('landing_references') %}
{%- set previous = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none %}

with known as (
    select 'department' as kind, dept_code as code from {{ ref('ref_departments') }}
    union all
    select distinct 'indicator', indicator_code from {{ ref('ref_indicators') }}
),

-- read once for every check below; kept in memory only when it is the few events an incremental build checks
scanned as {% if previous and not flags.FULL_REFRESH %}materialized {% endif %}(
    select * from {{ quarantine_scan(source_name, previous) }}
),

named as (
    select '{{ source_name }}' as source, event_id, event_type, dept_code, occurred_at, ingested_at,
           kafka_topic, kafka_partition, kafka_offset, 'department' as kind, 'dept_code' as field, dept_code as code
    from scanned
    where dept_code not in (select code from known where kind = 'department')
    {%- for event_type, fields in references.get(source_name, {}).items() %}
    {%- for field, kind in fields.items() %}
    union all
    select '{{ source_name }}', event_id, event_type, dept_code, occurred_at, ingested_at,
           kafka_topic, kafka_partition, kafka_offset, '{{ kind }}', '{{ field }}',
           unnest(case when json_type(payload, '$.{{ field }}') = 'ARRAY'
                       then json_extract_string(payload, '$.{{ field }}[*]')
                       else [payload ->> '$.{{ field }}'] end)
    from scanned
    where event_type = '{{ event_type }}'
    {%- endfor %}
    {%- endfor %}
),

unknown as (
    select named.*
    from named
    anti join known on named.kind = known.kind and named.code = known.code
    where named.code is not null
),

held as (
    select
        source,
        event_id,
        min(event_type) as event_type,
        min(dept_code) as dept_code,
        case when bool_or(kind = 'department') then 'unknown_department' else 'unknown_indicator' end as reason,
        list_sort(list_distinct(list(code))) as unknown_codes,
        string_agg(distinct field || ' = ' || code, '; ' order by field || ' = ' || code) as detail,
        min(occurred_at) as occurred_at,
        min(ingested_at) as first_seen_at,
        max(ingested_at) as last_seen_at,
        count(distinct kafka_topic || '/' || kafka_partition || '/' || kafka_offset) as copies,
        min(kafka_topic) as kafka_topic,
        min(kafka_partition) as kafka_partition,
        min(kafka_offset) as kafka_offset
    from unknown
    group by source, event_id
)

select
    held.*,
    {% if previous %}coalesce(before.held_since, now()){% else %}now(){% endif %} as held_since,
    null::timestamptz as released_at
from held
{%- if previous %}
left join {{ this }} as before on held.source = before.source and held.event_id = before.event_id
    and before.released_at is null
union all by name
-- held by the previous build, their codes known now: released by this one
select before.* replace (now() as released_at)
from {{ this }} as before
anti join held on before.source = held.source and before.event_id = held.event_id
where before.released_at is null
{%- endif %}
{%- endmacro %}


{#- The landing events of a source the quarantine checks, up to the build's read bounds (within_read_bounds, the
    same rows as its staging models read): every one on a first or full-refresh build; after that the events its
    staging models have not read yet (unread_landing, from their read positions as the previous build left them)
    and the events ``previous`` (the quarantine as that build left it) holds. -#}
{% macro quarantine_scan(source_name, previous) -%}
{%- set landed = landing_relation(source_name) -%}
{%- set staged = [] -%}
{%- set positioned = [] -%}
{%- if execute and previous and not flags.FULL_REFRESH -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            if node.name.startswith('stg_' ~ source_name ~ '__') and node.name != this.identifier -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation %}{% do staged.append(relation) %}{% endif -%}
        {%- if relation and landing_read_position_kept(relation) %}{% do positioned.append(relation) %}{% endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if staged and positioned | length == staged | length %}
(
    select landed.*
    from {{ landed }} as landed
    left join {{ landing_read_position(staged) }} as position
      on landed.kafka_topic = position.kafka_topic and landed.kafka_partition = position.kafka_partition
    where {{ unread_landing('landed', 'position') }}
      {{- within_read_bounds('landed') }}
    union all
    select * from {{ landed }}
    where event_id in (select event_id from {{ previous }} where released_at is null)
)
{%- else %}
(
    select landed.* from {{ landed }} as landed
    where true
      {{- within_read_bounds('landed') }}
)
{%- endif %}
{%- endmacro %}
