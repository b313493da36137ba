-- 本福特定律检验: per department and test (first digit, first two digits), the amounts pooled back from the latest
-- month until the test's minimum sample is reached (at most `max_window_months`), the mean absolute deviation (MAD)
-- from Benford's proportions and Nigrini's conformity range. Below the minimum sample the result is "insufficient":
-- no verdict is drawn from too few amounts.
{%- set benford = rule('benford') %}
{%- set tests = benford['tests'] %}

with digits as (
    select * from {{ ref('int_integrity__benford_digits') }}
),

as_of as (
    select max(period_month) as as_of_month from digits
),

monthly as (
    select digits.dept_code, digits.period_month, count(*) as n_amounts,
           {{ months_between('digits.period_month', 'as_of.as_of_month') }} + 1 as months_back
    from digits, as_of
    where digits.period_month > as_of.as_of_month - interval ({{ benford['max_window_months'] }}) month
    group by all
),

cumulative as (
    select *, sum(n_amounts) over (partition by dept_code order by period_month desc) as pooled_amounts
    from monthly
),

test_config as (
    {%- for test, config in tests.items() %}
    select '{{ test }}' as test, '{{ config['name'] }}' as test_name, {{ config['min_sample'] }} as min_sample,
           {{ config['mad']['close'] }}::double as mad_close, {{ config['mad']['acceptable'] }}::double as mad_acceptable,
           {{ config['mad']['marginal'] }}::double as mad_marginal,
           {{ '1' if test == 'first_digit' else '10' }} as first_bin, {{ '9' if test == 'first_digit' else '99' }} as last_bin
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

windows as (
    -- the shortest window back from the latest month that reaches the minimum sample, else the longest one
    select
        cumulative.dept_code,
        test_config.test,
        coalesce(min(cumulative.months_back) filter (where cumulative.pooled_amounts >= test_config.min_sample),
                 max(cumulative.months_back)) as window_months
    from cumulative
    cross join test_config
    group by all
),

window_amounts as (
    select windows.dept_code, windows.test, windows.window_months,
           case when windows.test = 'first_digit' then digits.first_digit else digits.first_two_digits end as bin
    from windows
    cross join as_of
    join digits
      on digits.dept_code = windows.dept_code
     and digits.period_month > as_of.as_of_month - to_months(windows.window_months)
),

bins as (
    select test_config.test, bin, log10(1 + 1.0 / bin) as expected_share
    from test_config, range(test_config.first_bin, test_config.last_bin + 1) as bins(bin)
),

observed as (
    select windows.dept_code, windows.test, windows.window_months, bins.bin, bins.expected_share,
           count(window_amounts.bin) as observed_count
    from windows
    join bins on bins.test = windows.test
    left join window_amounts
      on window_amounts.dept_code = windows.dept_code and window_amounts.test = windows.test
     and window_amounts.bin = bins.bin
    group by all
),

shares as (
    select *, observed_count / nullif(sum(observed_count) over (partition by dept_code, test), 0) as observed_share
    from observed
),

tested as (
    select
        dept_code,
        test,
        window_months,
        sum(observed_count) as n_amounts,
        avg(abs(observed_share - expected_share)) as mad_raw,
        list({'digit': bin, 'observed': observed_count, 'expected_share': round(expected_share, 5)} order by bin)
            as digit_counts
    from shares
    group by all
)

select
    tested.dept_code,
    departments.dept_name,
    tested.test,
    test_config.test_name,
    strftime(as_of.as_of_month - to_months(tested.window_months - 1), '%Y-%m') as window_start,
    strftime(as_of.as_of_month, '%Y-%m') as window_end,
    tested.window_months,
    tested.n_amounts,
    test_config.min_sample,
    tested.n_amounts >= test_config.min_sample as is_sufficient,
    tested.mad_raw as mad,
    case
        when tested.n_amounts < test_config.min_sample then 'insufficient'
        when tested.mad_raw <= test_config.mad_close then 'close'
        when tested.mad_raw <= test_config.mad_acceptable then 'acceptable'
        when tested.mad_raw <= test_config.mad_marginal then 'marginal'
        else 'nonconformity'
    end as conformity,
    case conformity
        when 'insufficient' then '样本不足（' || tested.n_amounts || ' < ' || test_config.min_sample || '），不作判断'
        when 'close' then '高度符合' when 'acceptable' then '可接受的符合' when 'marginal' then '临界符合'
        else '不符合本福特定律'
    end as conformity_name,
    conformity = 'nonconformity' as is_flagged,
    to_json({'rule': 'benford', 'test': tested.test, 'window': [window_start, window_end], 'n': tested.n_amounts,
             'min_sample': test_config.min_sample, 'mad': round(tested.mad_raw, 6),
             'ranges': {'close': test_config.mad_close, 'acceptable': test_config.mad_acceptable,
                        'marginal': test_config.mad_marginal},
             'sources': [{% for source in benford['amounts'] %}'{{ source['name'] }}'{{ ', ' if not loop.last }}{% endfor %}],
             'digits': tested.digit_counts})::varchar as evidence
from tested
cross join as_of
join test_config on test_config.test = tested.test
left join {{ ref('dim_department') }} as departments on departments.dept_code = tested.dept_code
