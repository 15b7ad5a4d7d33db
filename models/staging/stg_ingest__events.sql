with

source as (

    {% if var('ingest_load') == 'source' %}
    select * from {{ source('ingest', 'ingest_events') }}
    {% else %}
    select * from {{ ref('ingest_events') }}
    {% endif %}

),

renamed as (

    select
        cast(event_id as varchar) as event_id,
        cast(document_id as varchar) as document_id,
        cast(company_id as varchar) as company_id,
        coalesce(cast(exchange as varchar), '') as exchange,
        cast(event_type as varchar) as event_type,
        cast(event_date as date) as event_date,
        cast(date_precision as varchar) as date_precision,
        cast(char_start as bigint) as char_start,
        cast(char_end as bigint) as char_end,
        cast(quote as varchar) as quote,
    from source

)

select * from renamed
