-- One attainment rule: every composite indicator the engine scored equals the warehouse's attainment macro
-- applied to the same value and target (ratio to target, capped at var attainment_cap).
select *
from {{ ref('fct_dept_score_contribution') }}
where kind = 'indicator' and parent like 'dimension:%' and value is not null
  and abs(score - {{ attainment('value', 'target', 'direction') }}) > 1e-6
