with

events as (

    select * from {{ ref('int_offering_events_assigned') }}

),

final as (

    select
        event_id,
        offering_id,
        company_id,
        exchange,
        attempt_number,
        event_type,
        event_date,
        date_precision,
        row_number() over (
            partition by company_id
            order by event_date, event_type_order, event_id
        ) as event_order,
        document_id,
        char_start,
        char_end,
        quote,
    from events

)

select * from final
order by company_id, event_order
