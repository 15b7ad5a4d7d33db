with

source as (

    select * from {{ source('ingest', 'ingest_unclassified_mentions') }}

),

renamed as (

    select
        mention_id,
        document_id,
        coalesce(company_id, '') as company_id,
        value,
        coalesce(unit, '') as unit,
        coalesce(currency, '') as currency,
        coalesce(value_text, '') as value_text,
        char_start,
        char_end,
        quote,
        reason,
    from source

)

select * from renamed
