-- Offering figures tied to an attempt: the attempt of their exchange that started last on or before the
-- figure's date, else the first attempt on that exchange.
with

figures as (

    select * from {{ ref('int_offering_figures_by_exchange') }}

),

attempts as (

    select * from {{ ref('int_offering_attempts') }}

),

assigned as (

    select
        attempts.offering_id,
        figures.*,
    from figures
    inner join attempts
        on
            figures.company_id = attempts.company_id
            and figures.exchange = attempts.exchange
    qualify row_number() over (
        partition by figures.figure_id
        order by
            (attempts.attempt_start <= figures.period_end) desc,
            case
                when attempts.attempt_start <= figures.period_end then attempts.attempt_number
                else -attempts.attempt_number
            end desc
    ) = 1

)

select * from assigned
