{#- Attainment score 0–100: direction-aware ratio to target, capped at full attainment (var attainment_cap,
    1.0 = a met target scores 100), the rule of the scoring engine's ratio_to_target (scoring/config/department.yaml).
    Higher is better → value / target; lower is better → target / value (a value of 0 or less earns the cap). -#}
{% macro attainment(value, target, direction) -%}
100.0 * case
    when {{ value }} is null or {{ target }} is null then null
    when {{ direction }} = 'higher' then
        least(greatest({{ value }} / nullif({{ target }}, 0), 0), {{ var('attainment_cap') }})
    when {{ value }} <= 0 then {{ var('attainment_cap') }}
    else least(greatest({{ target }} / {{ value }}, 0), {{ var('attainment_cap') }})
end
{%- endmacro %}


{#- 100 × numerator / denominator as a double; null when the denominator is 0. -#}
{% macro percent(numerator, denominator) -%}
100.0 * ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Chinese name of a balanced-scorecard dimension code. -#}
{% macro dimension_name(dimension) -%}
case {{ dimension }}
    when 'mission' then '使命' when 'strategy' then '战略' when 'public' then '公众'
    when 'process' then '流程' when 'growth' then '成长'
end
{%- endmacro %}
