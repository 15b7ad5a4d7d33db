-- Events numbered into listing attempts. An attempt is a company's run at one exchange; it ends with a
-- withdrawal or a listing, and the next event on that exchange starts attempt n + 1. Re-filings after a
-- lapse (两年内三度递表) stay in the same attempt. The same event reported by several documents is kept
-- once, from the newest document. An event without exchange takes the company's reference exchange.
with

events as (

    select * from {{ ref('stg_ingest__events') }}

),

companies as (

    select * from {{ ref('int_companies_unioned') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

events_with_exchange as (

    select
        events.event_id,
        events.document_id,
        events.company_id,
        coalesce(nullif(events.exchange, ''), nullif(companies.exchange, ''), 'unknown') as exchange,
        events.event_type,
        events.event_date,
        events.date_precision,
        events.char_start,
        events.char_end,
        events.quote,
        documents.published_at,
        case events.event_type
            when 'filing' then 1
            when 'refiling' then 2
            when 'prospectus' then 3
            when 'approval' then 4
            when 'hearing_passed' then 5
            when 'pricing' then 6
            when 'withdrawal' then 7
            when 'listing' then 8
            else 9
        end as event_type_order,
        events.event_type in ('withdrawal', 'listing') as is_terminal,
    from events
    left join companies
        on events.company_id = companies.company_id
    left join documents
        on events.document_id = documents.document_id

),

events_deduplicated as (

    select * from events_with_exchange
    qualify row_number() over (
        partition by company_id, exchange, event_type, event_date
        order by published_at desc nulls last, document_id asc, char_start asc
    ) = 1

),

events_numbered as (

    select
        *,
        cast(1 + coalesce(
            count(*) filter (where is_terminal) over (
                partition by company_id, exchange
                order by event_date, event_type_order, event_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as integer) as attempt_number,
    from events_deduplicated

),

assigned as (

    select
        company_id || '-' || lower(exchange) || '-' || cast(attempt_number as varchar) as offering_id,
        *,
    from events_numbered

)

select * from assigned
