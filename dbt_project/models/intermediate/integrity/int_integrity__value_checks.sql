-- Outlier interception (异常值拦截) on every indicator value with data: each value against the configured bounds.
-- Out of bounds: a reported figure, or a rate counted from at least `min_responses` responses, is held for review
-- (not scored until a reviewer approves it); a counted rate from fewer responses is a low-sample value, not an outlier.
{%- set outliers = rule('outliers') %}

with indicator_values as (
    -- the figure as reported (before fct_indicator_value clips it to the catalogue's bounds), with its month as a date
    select * replace (reported_value as value), strptime(period, '%Y-%m')::date as period_month
    from {{ ref('fct_indicator_value') }}
    where has_data
),

catalogue as (
    select indicator_code, version, formula_model from {{ ref('ref_indicators') }}
),

decisions as (
    select * from {{ ref('int_review__latest_decisions') }}
),

bounds as (
    {%- for bound in outliers['bounds'] %}
    {%- set bound_index = loop.index %}
    {%- for indicator in bound['indicators'] %}
    select {{ bound_index }} as bound_order, '{{ bound['rule'] }}' as bound_rule, '{{ bound['name'] }}' as bound_name,
           '{{ indicator }}' as indicator_code,
           {{ bound.get('below', 'null') }}::double as bound_below, {{ bound.get('above', 'null') }}::double as bound_above
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

checked as (
    select
        indicator_values.dept_code,
        indicator_values.indicator_code,
        indicator_values.indicator_name,
        indicator_values.unit,
        indicator_values.period,
        indicator_values.period_month,
        indicator_values.value,
        indicator_values.numerator,
        indicator_values.denominator,
        catalogue.formula_model,
        bounds.bound_rule,
        bounds.bound_name,
        bounds.bound_below,
        bounds.bound_above,
        indicator_values.denominator is not null
            and indicator_values.denominator < {{ outliers['min_responses'] }} as is_low_sample
    from indicator_values
    join catalogue
      on catalogue.indicator_code = indicator_values.indicator_code
     and catalogue.version = indicator_values.indicator_version
    left join bounds
      on bounds.indicator_code = indicator_values.indicator_code
     and (indicator_values.value < bounds.bound_below or indicator_values.value > bounds.bound_above)
    qualify row_number() over (partition by indicator_values.dept_code, indicator_values.indicator_code,
                                            indicator_values.period order by bounds.bound_order nulls last) = 1
)

select
    checked.*,
    'hold:' || checked.dept_code || ':' || checked.indicator_code || ':' || checked.period as review_key,
    case
        when checked.bound_rule is null then 'in_bounds'
        when checked.is_low_sample then 'low_sample'
        when decisions.decision = 'approve' then 'approved'
        when decisions.decision = 'reject' then 'rejected'
        else 'held'
    end as outlier_status,
    checked.bound_rule is null or checked.is_low_sample or coalesce(decisions.decision = 'approve', false) as is_accepted,
    decisions.decision_id,
    decisions.decided_by,
    decisions.decided_at,
    decisions.decision_reason
from checked
left join decisions
  on checked.bound_rule is not null and not checked.is_low_sample
 and decisions.review_key = 'hold:' || checked.dept_code || ':' || checked.indicator_code || ':' || checked.period
