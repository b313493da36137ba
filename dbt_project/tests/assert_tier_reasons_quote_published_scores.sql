-- Every tier is decided and explained on the published overall score: the reason quotes it, and the tier's
-- score condition holds (diagnosis and partner below their thresholds, pilot at or above its minimum).
select *
from {{ ref('fct_dept_tier') }}
where (overall_score is not null and not starts_with(reason, '综合得分 ' || printf('%.1f', overall_score)))
   or (tier_code = 'pilot' and overall_score < 80)
   or (tier_code in ('partner', 'diagnosis') and overall_score >= 80)
   or (tier_code = 'diagnosis' and overall_score >= 60)
   or (tier_code = 'unscored') <> (overall_score is null)
