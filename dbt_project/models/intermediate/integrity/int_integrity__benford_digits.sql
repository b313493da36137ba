-- Benford's law (本福特定律), step 1: the leading digits of every configured amount of at least `min_amount`,
-- per department and business month. Digits are read from the decimal text, so no floating-point rounding.
{%- set benford = rule('benford') %}

with amounts as (
    {%- for source in benford['amounts'] %}
    select dept_code, date_trunc('month', occurred_at_local)::date as period_month,
           {{ source['column'] }}::decimal(18, 2) as amount, '{{ source['name'] }}' as amount_name
    from {{ ref(source['model']) }}
    where {{ source['column'] }} >= {{ benford['min_amount'] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

digits as (
    select *, ltrim(replace(amount::varchar, '.', ''), '0') as significand
    from amounts
)

select
    dept_code,
    period_month,
    amount_name,
    amount,
    substr(significand, 1, 1)::integer as first_digit,
    substr(significand, 1, 2)::integer as first_two_digits
from digits
