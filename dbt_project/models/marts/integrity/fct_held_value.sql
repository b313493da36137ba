-- 异常值拦截: every indicator value outside a configured bound. Held values (a reported figure, or a rate from at
-- least `min_responses` responses) wait in the review queue and are not scored until a reviewer approves them;
-- a rejected value stays out of scoring. Rates from fewer responses are recorded as low-sample and scored as usual.
select
    checks.review_key,
    checks.dept_code,
    departments.dept_name,
    checks.indicator_code,
    checks.indicator_name,
    checks.unit,
    checks.period,
    checks.value,
    checks.numerator,
    checks.denominator as responses,
    checks.bound_rule,
    checks.bound_name,
    checks.bound_below,
    checks.bound_above,
    checks.outlier_status,
    case checks.outlier_status
        when 'held' then '待复核，暂不计分' when 'approved' then '复核通过，计分'
        when 'rejected' then '复核驳回，不计分' else '样本不足，不作异常值处理，计分'
    end as status_name,
    not checks.is_accepted as is_excluded_from_scoring,
    checks.decided_by,
    checks.decided_at,
    checks.decision_reason,
    checks.decision_id,
    to_json({'rule': 'outlier', 'bound': checks.bound_rule, 'value': checks.value, 'below': checks.bound_below,
             'above': checks.bound_above, 'responses': checks.denominator,
             'min_responses': {{ rule('outliers')['min_responses'] }}, 'period': checks.period,
             'source': checks.formula_model})::varchar as evidence
from {{ ref('int_integrity__value_checks') }} as checks
left join {{ ref('dim_department') }} as departments on departments.dept_code = checks.dept_code
where checks.outlier_status <> 'in_bounds'
