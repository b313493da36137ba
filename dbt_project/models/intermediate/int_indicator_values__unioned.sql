-- Every indicator value computed from the sources, in one long table (department × indicator × month).
{%- set formula_models = [
    'int_gov_oa__indicator_values', 'int_gov_oa__self_reported_values', 'int_hotline_12345__indicator_values',
    'int_service_review__indicator_values', 'int_finance__indicator_values', 'int_audit__indicator_values',
    'int_petition__indicator_values', 'int_project_progress__indicator_values', 'int_procurement__indicator_values',
    'int_public_opinion__indicator_values', 'int_approval__indicator_values', 'int_appraisal__indicator_values',
    'int_public_opinion__negative_opinion_rate'] %}
{% for formula_model in formula_models %}
select dept_code, period_month, indicator_code, value::double as value, numerator, denominator,
       '{{ formula_model }}' as formula_model
from {{ ref(formula_model) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
