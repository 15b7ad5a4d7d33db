-- Offering figure mentions with the exchange they belong to: the `exchange:X` dimension when the text tied the
-- figure to an attempt (planned proceeds of a withdrawn STAR application), else the exchange of the
-- company's latest event on or before the figure's date, else its latest event, else its reference exchange.
with

figures as (

    select * from {{ ref('int_figures_measured') }}
    where table_name = 'offerings'

),

events as (

    select * from {{ ref('int_offering_events_assigned') }}

),

companies as (

    select * from {{ ref('int_companies_unioned') }}

),

latest_event_exchange as (

    select
        figures.figure_id,
        events.exchange,
    from figures
    inner join events
        on figures.company_id = events.company_id
    qualify row_number() over (
        partition by figures.figure_id
        order by
            (events.event_date <= figures.period_end) desc,
            events.event_date desc,
            events.event_type_order desc
    ) = 1

),

with_exchange as (

    select
        figures.*,
        case
            when figures.dimension_kind = 'exchange' then upper(trim(figures.dimension_value))
            else coalesce(latest_event_exchange.exchange, nullif(companies.exchange, ''), 'unknown')
        end as exchange,
    from figures
    left join latest_event_exchange
        on figures.figure_id = latest_event_exchange.figure_id
    left join companies
        on figures.company_id = companies.company_id

)

select * from with_exchange
