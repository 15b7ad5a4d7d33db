with

source as (

    select * from {{ source('ingest', 'ingest_events') }}

),

renamed as (

    select
        event_id,
        document_id,
        company_id,
        coalesce(exchange, '') as exchange,
        event_type,
        event_date,
        date_precision,
        char_start,
        char_end,
        quote,
    from source

)

select * from renamed
