-- Offering figures resolved per listing attempt: one row per attempt × metric × dimension × moment_key
-- (int_figures_resolved, grain offering_attempt), whatever date a later article gives them.
with

resolved as (

    select * from {{ ref('int_figures_resolved') }}
    where resolution_grain = 'offering_attempt'

),

final as (

    select * exclude (resolution_grain, resolution_id, resolution_period)
    from resolved

)

select * from final
