{#- The data-validity rules (expectations/rules.yaml), handed to dbt as the var `integrity` by the warehouse runner. -#}
{% macro rule(section) -%}
{{ return(var('integrity')[section]) }}
{%- endmacro %}

{#- A SQL list literal of strings: ('a', 'b'). -#}
{% macro sql_list(values) -%}
('{{ values | join("', '") }}')
{%- endmacro %}

{#- Months between two first-of-month dates (b − a). -#}
{% macro months_between(a, b) -%}
(date_diff('month', {{ a }}, {{ b }}))
{%- endmacro %}

{#- Wilson score interval bound (in points) for k successes of n at the rules' z; sign -1 lower, +1 upper. -#}
{% macro wilson_bound(k, n, z, sign) -%}
(100.0 * (({{ k }}) / ({{ n }}) + {{ z }} * {{ z }} / (2.0 * ({{ n }}))
          {{ '+' if sign > 0 else '-' }} {{ z }} * sqrt((({{ k }}) / ({{ n }})) * (1 - ({{ k }}) / ({{ n }})) / ({{ n }})
                               + {{ z }} * {{ z }} / (4.0 * ({{ n }}) * ({{ n }}))))
       / (1 + {{ z }} * {{ z }} / ({{ n }})))
{%- endmacro %}

{#- Zombie rule: per flag (dept_code, indicator_code, <flag_month>, <reference>) of `flags`, the first later month of
    `windows` whose value moved at least the threshold away from the reference (null while it has not). -#}
{% macro zombie_first_move(flags, windows, flag_month, reference) -%}
    select {{ flags }}.dept_code, {{ flags }}.indicator_code, {{ flags }}.{{ flag_month }},
           min(later.period_month) filter (
               where abs(later.value - {{ flags }}.{{ reference }})
                     >= {{ rule('zombie')['change_rate_below'] }} * abs({{ flags }}.{{ reference }})
                 and later.value <> {{ flags }}.{{ reference }}) as moved_month
    from {{ flags }}
    join {{ windows }} as later
      on later.dept_code = {{ flags }}.dept_code and later.indicator_code = {{ flags }}.indicator_code
     and later.period_month > {{ flags }}.{{ flag_month }}
    group by all
{%- endmacro %}
