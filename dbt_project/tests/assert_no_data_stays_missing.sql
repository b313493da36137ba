-- "No data" stays missing through the bounds and the attainment rule: a value (and an attainment) exactly
-- where the source had data.
select *
from {{ ref('fct_indicator_value') }}
where has_data <> (value is not null) or (attainment is null) <> (value is null)
