-- Each offering figure mention with the listing attempt it belongs to: the attempt of its exchange that started
-- last on or before the figure's date (else the first attempt there). moment_key is the rest of the offering
-- figure's identity: '' (an offer price restated a week later is the same figure), except for a market cap
-- without a listing-day moment (dimension ''), which stays dated (its period_label): it changes every day.
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
        case
            when figures.metric = 'market_cap' and figures.dimension = '' then figures.period_label
            else ''
        end as moment_key,
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
