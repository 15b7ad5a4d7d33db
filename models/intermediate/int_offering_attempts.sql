-- One row per company × exchange × attempt. Attempts come from events; a company with offering figures
-- but no event on that exchange gets attempt 1 there. Status: listed if a listing event (or, without
-- events, trading figures such as the opening price), else withdrawn, else hearing_passed, else filed.
with

events as (

    select * from {{ ref('int_offering_events_assigned') }}

),

figures as (

    select * from {{ ref('int_offering_figures_by_exchange') }}

),

attempts_from_events as (

    select
        offering_id,
        company_id,
        exchange,
        attempt_number,
        min(event_date) as attempt_start,
        -- a re-filing after a lapse stays in the attempt; the first filing dates it
        min(event_date) filter (where event_type in ('filing', 'refiling')) as filing_date,
        min(event_date) filter (where event_type = 'approval') as approval_date,
        min(event_date) filter (where event_type = 'hearing_passed') as hearing_passed_date,
        min(event_date) filter (where event_type = 'withdrawal') as withdrawal_date,
        min(event_date) filter (where event_type = 'listing') as listing_date,
        count(*) as n_events,
    from events
    group by offering_id, company_id, exchange, attempt_number

),

attempts_from_figures_only as (

    select
        figures.company_id || '-' || lower(figures.exchange) || '-1' as offering_id,
        figures.company_id,
        figures.exchange,
        1 as attempt_number,
        min(figures.period_end) as attempt_start,
        cast(null as date) as filing_date,
        cast(null as date) as approval_date,
        cast(null as date) as hearing_passed_date,
        cast(null as date) as withdrawal_date,
        min(figures.period_end) filter (
            where figures.metric in (
                'opening_price', 'opening_change_pct', 'first_day_close_price', 'first_day_change_pct'
            )
        ) as listing_date,
        0 as n_events,
    from figures
    anti join attempts_from_events
        on
            figures.company_id = attempts_from_events.company_id
            and figures.exchange = attempts_from_events.exchange
    group by figures.company_id, figures.exchange

),

unioned as (

    select * from attempts_from_events
    union all
    select * from attempts_from_figures_only

),

with_status as (

    select
        *,
        case
            when listing_date is not null then 'listed'
            when withdrawal_date is not null then 'withdrawn'
            when hearing_passed_date is not null then 'hearing_passed'
            else 'filed'
        end as status,
    from unioned

)

select * from with_status
