-- Period bounds are ordered, AS_OF periods are a single day and FY periods are one calendar year long.
select
    figure_id,
    period_type,
    period_start,
    period_end,
    period_label,
from {{ ref('fct_figures') }}
where
    period_start > period_end
    or (period_type = 'AS_OF' and period_start <> period_end)
    or (period_type = 'FY' and datediff('day', period_start, period_end) not between 364 and 365)
