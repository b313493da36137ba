{#- Generic tests that dbt-utils would provide; kept here because packages cannot be downloaded offline. -#}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by all
having count(*) > 1
{% endtest %}

{% test value_between(model, column_name, min_value, max_value) %}
select *
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{#- Versions of one key (SCD rows valid over [valid_from, valid_to), open-ended when valid_to is null) never overlap. -#}
{% test no_overlapping_versions(model, key, valid_from='valid_from', valid_to='valid_to') %}
select a.{{ key }}, a.{{ valid_from }} as a_from, b.{{ valid_from }} as b_from
from {{ model }} as a
join {{ model }} as b
  on a.{{ key }} = b.{{ key }}
 and a.{{ valid_from }} < b.{{ valid_from }}
 and b.{{ valid_from }} < coalesce(a.{{ valid_to }}, 'infinity'::date)
{% endtest %}

{#- Every value is strictly positive. -#}
{% test positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}

{#- Every indicator code an intermediate model computes is catalogued with that model as its formula_model
    (the accepted values come from ref_indicators, not from a list repeated by hand). -#}
{% test indicator_codes_in_catalogue(model, column_name) %}
select distinct {{ column_name }}
from {{ model }}
where {{ column_name }} not in (
    select indicator_code from {{ ref('ref_indicators') }} where formula_model = '{{ model.identifier }}')
{% endtest %}

{#- Every group of `column_name` has at least `min_size` rows (e.g. no peer group of one department). -#}
{% test min_group_size(model, column_name, min_size) %}
select {{ column_name }}, count(*) as n
from {{ model }}
group by {{ column_name }}
having count(*) < {{ min_size }}
{% endtest %}

{#- Every listed column is not null, in one scan of the model: one test node per model instead of one per column
    (dbt's not_null costs a node each, about 30 ms of build time, for a query of about 1 ms). A failing row names
    the column and how many of its rows are null. -#}
{% test not_null_columns(model, columns) %}
with nulls as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ column }} is null) as null_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}
select '{{ column }}' as column_name, null_{{ loop.index }} as null_rows from nulls where null_{{ loop.index }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}
{% endtest %}
