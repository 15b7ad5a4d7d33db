-- A stated figure that fails a check is kept as stated: the reconciliation's stated_value is the value
-- of the figure in fct_figures, never a corrected one (share checks state 100, not a figure).
select
    reconciliation.check_id,
    reconciliation.stated_value,
    fct_figures.value,
from {{ ref('reconciliation') }} as reconciliation
inner join {{ ref('fct_figures') }} as fct_figures
    on reconciliation.figure_id = fct_figures.figure_id
where
    reconciliation.check_type in ('cumulative_total', 'cagr', 'yoy_growth', 'market_cap_vs_price_x_shares')
    and reconciliation.stated_value <> fct_figures.value
