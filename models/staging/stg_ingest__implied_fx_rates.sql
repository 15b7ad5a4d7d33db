with

source as (

    select * from {{ source('ingest', 'ingest_implied_fx_rates') }}

),

renamed as (

    select
        fx_rate_id,
        rate_date,
        base_currency,
        quote_currency,
        rate,
        source as rate_source,
        document_id,
        quote,
    from source

)

select * from renamed
