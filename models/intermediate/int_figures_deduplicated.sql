-- One row per company × metric × dimension × period_label: the chosen statement, how many documents state it,
-- and whether another statement disagrees beyond rounding (int_figures_resolved, grain company_period).
with

resolved as (

    select * from {{ ref('int_figures_resolved') }}
    where resolution_grain = 'company_period'

),

final as (

    select * exclude (resolution_grain, resolution_id, resolution_period, offering_id, exchange, moment_key)
    from resolved

)

select * from final
